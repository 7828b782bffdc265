import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { Clock } from '../../common/clock';
import { sha256Hex } from '../../common/crypto/tokens';
import { REDACTED_FIELDS } from '../../infrastructure/logging.module';
import { canonicalJson } from './canonical-json';
import { AuditEvent } from './entities/audit-event.entity';

export type AuditActorType = 'account' | 'principal' | 'agent' | 'system' | 'public';

export interface AuditActor {
  readonly type: AuditActorType;
  readonly id?: string;
}

/** Who makes a change and from where: what every audited operation is told by its caller. */
export interface ChangeContext {
  readonly actor: AuditActor;
  readonly ip?: string;
}

export interface AuditSubject {
  readonly type: string;
  readonly id: string;
}

export interface AuditEventInput {
  /** Dotted lower-case, such as `sign_in.succeeded` or `session.revoked`. */
  readonly action: string;
  readonly actor: AuditActor;
  readonly subject?: AuditSubject;
  /** Facts worth keeping; never a secret (codes, passwords, tokens): `record` refuses those names. */
  readonly data?: Record<string, unknown>;
  readonly ip?: string;
}

export type AuditVerification =
  | { readonly ok: true; readonly count: number }
  | { readonly ok: false; readonly count: number; readonly brokenAt: { readonly seq: string; readonly reason: string } };

export interface AuditPage {
  /** Newest first. */
  readonly events: AuditEvent[];
  /** Pass as `before` for the next (older) page; absent on the last page. */
  readonly next?: string;
}

/** What a row's hash covers: every column but `seq` and the hashes (the chain itself orders the rows). */
interface AuditContent {
  readonly createdAt: string;
  readonly action: string;
  readonly actorType: string;
  readonly actorId: string | null;
  readonly subjectType: string | null;
  readonly subjectId: string | null;
  readonly data: Record<string, unknown>;
  readonly ip: string | null;
}

const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const SECRET_NAMES = new Set(REDACTED_FIELDS.map((name) => name.toLowerCase()));
const GENESIS = '0'.repeat(64);
const VERIFY_BATCH = 1_000;

/**
 * One statement per event: the UPDATE takes the row lock of the single chain head and steps it
 * (seq + 1, hash = sha256(previous hash || canonical content)), the INSERT writes the event from
 * what the UPDATE returned. Concurrent appenders queue on that one row only, and PostgreSQL
 * re-evaluates the UPDATE against the newest head once the lock is theirs, so the chain never
 * forks. The lock is held until the caller's transaction ends: record the event last.
 */
const APPEND = `
  WITH head AS (
    UPDATE audit_chain_head
       SET seq = seq + 1,
           prev_hash = hash,
           hash = encode(sha256(convert_to(hash || $1::text, 'UTF8')), 'hex')
     WHERE id = 1
    RETURNING seq, prev_hash, hash
  )
  INSERT INTO audit_events (seq, created_at, action, actor_type, actor_id, subject_type, subject_id, data, ip, prev_hash, hash)
  SELECT head.seq, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, head.prev_hash, head.hash FROM head`;

interface AuditRow {
  seq: string;
  created_at: Date;
  action: string;
  actor_type: string;
  actor_id: string | null;
  subject_type: string | null;
  subject_id: string | null;
  data: Record<string, unknown>;
  ip: string | null;
  prev_hash: string;
  hash: string;
}

/** The hash-chained audit log: appended in the transaction of each change, verified end to end. */
@Injectable()
export class AuditService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    private readonly clock: Clock,
  ) {}

  /**
   * Appends one event through `manager`, so it commits or rolls back with the change it
   * describes. Call it as the last statement before commit: it holds the chain head's lock
   * until then.
   */
  async record(manager: EntityManager, event: AuditEventInput): Promise<void> {
    if (!ACTION.test(event.action)) throw new Error(`audit action "${event.action}" is not dotted lower-case`);
    const secret = secretPath(event.data);
    if (secret) throw new Error(`audit data of ${event.action} must not carry a secret (${secret})`);
    const content: AuditContent = {
      createdAt: this.clock.now().toISOString(),
      action: event.action,
      actorType: event.actor.type,
      actorId: event.actor.id ?? null,
      subjectType: event.subject?.type ?? null,
      subjectId: event.subject?.id ?? null,
      // Through JSON and back: what jsonb keeps is what the hash must cover.
      data: JSON.parse(JSON.stringify(event.data ?? {})) as Record<string, unknown>,
      ip: event.ip ?? null,
    };
    await manager.query(APPEND, [
      canonicalJson(content),
      content.createdAt,
      content.action,
      content.actorType,
      content.actorId,
      content.subjectType,
      content.subjectId,
      JSON.stringify(content.data),
      content.ip,
    ]);
  }

  /**
   * Walks the whole chain in order and recomputes every hash. Names the first row whose place,
   * link or content does not match, or a tail missing against the chain head.
   */
  async verify(): Promise<AuditVerification> {
    const [head] = (await this.dataSource.query('SELECT seq, hash FROM audit_chain_head WHERE id = 1')) as { seq: string; hash: string }[];
    const last = BigInt(head.seq);
    let expected = 1n;
    let previous = GENESIS;
    for (;;) {
      const rows = (await this.dataSource.query('SELECT * FROM audit_events WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT $3', [
        expected.toString(),
        head.seq,
        VERIFY_BATCH,
      ])) as AuditRow[];
      for (const row of rows) {
        const count = Number(expected - 1n);
        const broken = (reason: string): AuditVerification => ({ ok: false, count, brokenAt: { seq: row.seq, reason } });
        if (BigInt(row.seq) !== expected) return { ok: false, count, brokenAt: { seq: expected.toString(), reason: `missing (the next row is ${row.seq})` } };
        if (row.prev_hash !== previous) return broken('its previous hash does not match the hash of the row before it');
        if (row.hash !== sha256Hex(previous + canonicalJson(contentOf(row)))) return broken('its content does not match its hash');
        previous = row.hash;
        expected += 1n;
      }
      if (rows.length < VERIFY_BATCH) break;
    }
    const count = Number(expected - 1n);
    if (expected - 1n !== last) return { ok: false, count, brokenAt: { seq: expected.toString(), reason: `missing (the chain head records ${last} events)` } };
    if (previous !== head.hash) return { ok: false, count, brokenAt: { seq: head.seq, reason: 'the chain head records another hash for the last row' } };
    return { ok: true, count };
  }

  /** A page of events, newest first, optionally about one subject (keyset pagination on `seq`). */
  async list(query: { before?: string; limit?: number; subject?: AuditSubject } = {}): Promise<AuditPage> {
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
    const builder = this.events.createQueryBuilder('event').orderBy('event.seq', 'DESC').take(limit + 1);
    if (query.before) builder.andWhere('event.seq < :before', { before: query.before });
    if (query.subject) builder.andWhere('event.subjectType = :type AND event.subjectId = :id', query.subject);
    const rows = await builder.getMany();
    const events = rows.slice(0, limit);
    return rows.length > limit ? { events, next: events[events.length - 1].seq } : { events };
  }

  /** How many events of each of `actions` were recorded in each whole UTC hour since `from` (hours without any are left out). */
  async hourlyCounts(actions: readonly string[], from: Date): Promise<{ action: string; hour: Date; count: number }[]> {
    // audit_events_action_created_idx: only the rows of these actions since `from` are read.
    return this.dataSource.query(
      `SELECT action, date_trunc('hour', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour, count(*)::int AS count
         FROM audit_events
        WHERE action = ANY($1) AND created_at >= $2
        GROUP BY 1, 2`,
      [actions, from],
    );
  }
}

function contentOf(row: AuditRow): AuditContent {
  return {
    createdAt: row.created_at.toISOString(),
    action: row.action,
    actorType: row.actor_type,
    actorId: row.actor_id,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    data: row.data,
    ip: row.ip,
  };
}

/** The dotted path of the first member named like a secret, if any. */
function secretPath(value: unknown, path = ''): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, member] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (SECRET_NAMES.has(key.toLowerCase())) return here;
    const nested = secretPath(member, here);
    if (nested) return nested;
  }
  return undefined;
}
