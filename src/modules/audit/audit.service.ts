import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import { Clock } from '../../common/clock';
import { decodeCursor, encodeCursor } from '../../common/pagination';
import { REDACTED_FIELDS } from '../../infrastructure/logging.module';
import { AuditEvent } from './entities/audit-event.entity';
import { AuditAction } from './audit-actions';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';

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
  /** One of the catalogue's (audit-actions.ts), such as `sign_in.succeeded` or `session.revoked`. */
  readonly action: AuditAction;
  readonly actor: AuditActor;
  readonly subject?: AuditSubject;
  /** Facts worth keeping; never a secret (codes, passwords, tokens): `record` refuses those names. */
  readonly data?: Record<string, unknown>;
  readonly ip?: string;
}

export interface AuditPage {
  /** Newest first. */
  readonly events: AuditEvent[];
  /** Pass as `before` for the next (older) page; absent on the last page. */
  readonly next?: string;
}

/** What the back-office audit page asks for: every filter given must match. */
export interface AuditSearch {
  readonly actor?: { readonly type: AuditActorType; readonly id?: string };
  readonly action?: AuditAction;
  /** One id under any of `types` (an id alone does not say whether it is an agent's or an appeal's). */
  readonly subject?: { readonly types: readonly string[]; readonly id: string };
  /** The `next` of the page before: a `seq`. */
  readonly before?: string;
  readonly limit: number;
}

/** What `activity` reads: one subject's events of some actions, since a time, newest first. */
export interface ActivityQuery {
  readonly subject: AuditSubject;
  readonly actions: readonly string[];
  readonly since: Date;
  /** The `next` of the page before (older events); a cursor of another list is 400 VALIDATION_FAILED on `before`. */
  readonly before?: string;
  readonly limit: number;
}

/** A cursor of `activity`: the (created_at, seq) of the last event shown. */
const ACTIVITY_CURSOR = [/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, /^\d{1,19}$/];

/**
 * A subject's events newest first on audit_events_subject_created_idx: the scan starts at the
 * cursor (or the newest event) and stops at `since`, however many older events the subject has.
 */
const ACTIVITY = (keyset: boolean) => `
  SELECT seq, created_at AS "createdAt", action, actor_type AS "actorType", actor_id AS "actorId",
         subject_type AS "subjectType", subject_id AS "subjectId", data, ip
    FROM audit_events
   WHERE subject_type = $1 AND subject_id = $2 AND created_at >= $3 AND action = ANY($4)${keyset ? ' AND (created_at, seq) < ($6, $7)' : ''}
   ORDER BY created_at DESC, seq DESC
   LIMIT $5`;

const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const SECRET_NAMES = new Set(REDACTED_FIELDS.map((name) => name.toLowerCase()));

/**
 * One plain INSERT per event, with no lock that another request could need: `seq` comes from a
 * sequence, `xid` (the writing transaction) from its column default. The event's place in the
 * verifiable log is given later by the sequencer (AuditSequencer), once this transaction is over.
 */
const APPEND = `
  INSERT INTO audit_events (created_at, action, actor_type, actor_id, subject_type, subject_id, data, ip, nonce)
  VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)`;

/** The audit log: appended in the transaction of each change, then sequenced into a Merkle tree (AuditSequencer). */
@Injectable()
export class AuditService {
  /** Off only in the `audit-append` benchmark's unaudited half, to measure what the audit write costs. */
  private readonly auditing: boolean;

  constructor(
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    private readonly clock: Clock,
    @InjectConfig() config: AppConfig,
  ) {
    this.auditing = !config.benchmark.auditOff;
  }

  /**
   * Appends one event through `manager`, so it commits or rolls back with the change it
   * describes. It takes no lock another transaction waits for, so it may come anywhere in the
   * transaction.
   */
  async record(manager: EntityManager, event: AuditEventInput): Promise<void> {
    if (!this.auditing) return;
    if (!ACTION.test(event.action)) throw new Error(`audit action "${event.action}" is not dotted lower-case`);
    const secret = secretPath(event.data);
    if (secret) throw new Error(`audit data of ${event.action} must not carry a secret (${secret})`);
    await manager.query(APPEND, [
      this.clock.now().toISOString(),
      event.action,
      event.actor.type,
      event.actor.id ?? null,
      event.subject?.type ?? null,
      event.subject?.id ?? null,
      // Through JSON: Dates become strings, undefined members go, as jsonb will keep them.
      JSON.stringify(event.data ?? {}),
      event.ip ?? null,
      randomBytes(16).toString('hex'),
    ]);
  }

  /** A page of events, newest first, optionally about one subject (keyset pagination on `seq`). */
  async list(query: { before?: string; limit?: number; subject?: AuditSubject } = {}): Promise<AuditPage> {
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
    const builder = this.events
      .createQueryBuilder('event')
      .orderBy('event.seq', 'DESC')
      .take(limit + 1);
    if (query.before) builder.andWhere('event.seq < :before', { before: query.before });
    if (query.subject) builder.andWhere('event.subjectType = :type AND event.subjectId = :id', query.subject);
    const rows = await builder.getMany();
    const events = rows.slice(0, limit);
    return rows.length > limit ? { events, next: events[events.length - 1].seq } : { events };
  }

  /**
   * A page of events, newest first, that match every filter given: the back-office audit page.
   * Keyset on `seq`; each filter has an index that leads with it and ends with `seq`
   * (audit_events_actor_idx, audit_events_action_seq_idx, audit_events_subject_idx), so a page
   * reads about its own rows however long the log is.
   */
  async search(query: AuditSearch): Promise<AuditPage> {
    const limit = Math.min(Math.max(query.limit, 1), 200);
    const builder = this.events
      .createQueryBuilder('event')
      .orderBy('event.seq', 'DESC')
      .take(limit + 1);
    if (query.before) builder.andWhere('event.seq < :before', { before: query.before });
    if (query.action) builder.andWhere('event.action = :action', { action: query.action });
    if (query.actor) {
      builder.andWhere('event.actorType = :actorType', { actorType: query.actor.type });
      if (query.actor.id !== undefined) builder.andWhere('event.actorId = :actorId', { actorId: query.actor.id });
    }
    if (query.subject)
      builder.andWhere('event.subjectType IN (:...subjectTypes) AND event.subjectId = :subjectId', {
        subjectTypes: query.subject.types,
        subjectId: query.subject.id,
      });
    const rows = await builder.getMany();
    const events = rows.slice(0, limit);
    return rows.length > limit ? { events, next: events[events.length - 1].seq } : { events };
  }

  /** One event by its id (`seq`), or null (also for an id that is not one). */
  async event(seq: string): Promise<AuditEvent | null> {
    return /^\d{1,18}$/.test(seq) ? this.events.findOneBy({ seq }) : null;
  }

  /**
   * One page of a subject's events of `actions` since `since`, newest first, by keyset on
   * (created_at, seq): an account's security activity. `next` is the cursor of the older page.
   */
  async activity(query: ActivityQuery): Promise<AuditPage> {
    const params: unknown[] = [query.subject.type, query.subject.id, query.since, query.actions, query.limit + 1];
    if (query.before) {
      const [createdAt, seq] = decodeCursor(query.before, ACTIVITY_CURSOR, 'before');
      params.push(createdAt, seq);
    }
    const rows: AuditEvent[] = (await this.events.query(ACTIVITY(query.before !== undefined), params)) as AuditEvent[];
    const events = rows.slice(0, query.limit).map((row) => ({ ...row, seq: String(row.seq) }) as AuditEvent);
    if (rows.length <= query.limit) return { events };
    const last = events[events.length - 1];
    return { events, next: encodeCursor([last.createdAt.toISOString(), last.seq]) };
  }

  /**
   * The latest time one of `actions` happened to `subject` within [from, to], or null: whether
   * something (a password change...) happened in a window, on audit_events_subject_created_idx.
   */
  async latestOf(subject: AuditSubject, actions: readonly string[], from: Date, to: Date): Promise<Date | null> {
    const [row] = (await this.events.query(
      `SELECT max(created_at) AS at FROM audit_events
        WHERE subject_type = $1 AND subject_id = $2 AND created_at BETWEEN $3 AND $4 AND action = ANY($5)`,
      [subject.type, subject.id, from, to, actions],
    )) as { at: Date | null }[];
    return row?.at ?? null;
  }

  /** How many events of each of `actions` were recorded in each whole UTC hour since `from` (hours without any are left out). */
  async hourlyCounts(actions: readonly AuditAction[], from: Date): Promise<{ action: AuditAction; hour: Date; count: number }[]> {
    // audit_events_action_created_idx: only the rows of these actions since `from` are read.
    return this.events.query(
      `SELECT action, date_trunc('hour', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour, count(*)::int AS count
         FROM audit_events
        WHERE action = ANY($1) AND created_at >= $2
        GROUP BY 1, 2`,
      [actions, from],
    );
  }
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
