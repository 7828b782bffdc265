import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager, EntityTarget } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Clock } from '../common/clock';
import { hashToken, randomToken } from '../common/crypto/tokens';
import { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';

/** What `randomToken()` gives: 32 bytes in base64url. Anything else is refused before a query. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The columns every link table has; the owning module's entity adds what its links are for. */
export interface SingleUseLinkRow {
  id: string;
  /** SHA-256 of the link's 256-bit token: the token itself is only ever in the message that carries it. */
  tokenHash: string;
  usedAt: Date | null;
}

export interface SingleUseLinkKind<Row extends SingleUseLinkRow> {
  /** The owning module's entity (its table stays the module's own). */
  readonly entity: EntityTarget<Row>;
  /** The page the link opens: `<public base URL><path>/<token>`. */
  readonly path: string;
  /** How long a link works (the entity then has `expiresAt`); none: until it is used, or until what it is for no longer applies, which its owner checks. */
  readonly ttlMs?: number;
}

/** The columns a caller gives to `issue`: everything but the link's own bookkeeping (`createdAt` where the table has a default). */
export type LinkFields<Row extends SingleUseLinkRow> = Omit<Row, keyof SingleUseLinkRow | 'expiresAt' | 'createdAt'> & { createdAt?: Date };

/**
 * The one way to issue and redeem single-use emailed links ("this wasn't me" reverts, appeal
 * password resets, objections): a 256-bit random token in the URL, only its hash stored, an
 * optional expiry, used once. Each owner module asks it for the links of its own table (`for`)
 * and keeps its rules (what a link does once redeemed) in its own service.
 */
@Injectable()
export class SingleUseLinksService {
  constructor(
    private readonly clock: Clock,
    @InjectConfig() private readonly config: Pick<AppConfig, 'http'>,
  ) {}

  for<Row extends SingleUseLinkRow>(kind: SingleUseLinkKind<Row>): SingleUseLinks<Row> {
    return new SingleUseLinks(kind, this.clock, this.config.http.publicBaseUrl);
  }
}

/** The links of one table (see SingleUseLinksService). */
export class SingleUseLinks<Row extends SingleUseLinkRow> {
  constructor(
    private readonly kind: SingleUseLinkKind<Row>,
    private readonly clock: Clock,
    private readonly publicBaseUrl: string,
  ) {}

  /** Stores a new link through the caller's transaction (the change it is about commits with it); returns its absolute URL. */
  async issue(manager: EntityManager, fields: LinkFields<Row>): Promise<string> {
    const token = randomToken();
    const expiry = this.kind.ttlMs === undefined ? {} : { expiresAt: new Date(this.clock.nowMs() + this.kind.ttlMs) };
    const row = { ...fields, id: randomUUID(), tokenHash: hashToken(token), usedAt: null, ...expiry };
    await manager.insert(this.kind.entity, row as unknown as QueryDeepPartialEntity<Row>);
    return `${this.publicBaseUrl}${this.kind.path}/${token}`;
  }

  /**
   * The link's row while it is usable, without using it (link pages are opened by mail scanners
   * too); null when it is unknown, used or expired. `includeUsed` finds a used or expired one too.
   */
  async find(manager: EntityManager, token: string, options: { includeUsed?: boolean } = {}): Promise<Row | null> {
    if (!TOKEN.test(token)) return null;
    const query = manager.createQueryBuilder(this.kind.entity, 'link').where('link.tokenHash = :hash', { hash: hashToken(token) });
    if (!options.includeUsed) this.usable(query);
    return query.getOne();
  }

  /**
   * Uses the link up through the caller's transaction: its row, locked until the commit, or null
   * when it is unknown, used or expired (a concurrent redeemer waits and then finds it used). If
   * the transaction rolls back, the link stays usable.
   */
  async redeem(manager: EntityManager, token: string): Promise<Row | null> {
    if (!TOKEN.test(token)) return null;
    const query = manager
      .createQueryBuilder(this.kind.entity, 'link')
      .where('link.tokenHash = :hash', { hash: hashToken(token) })
      .setLock('pessimistic_write');
    const link = await this.usable(query).getOne();
    if (!link) return null;
    link.usedAt = this.clock.now();
    await manager
      .createQueryBuilder()
      .update(this.kind.entity)
      .set({ usedAt: link.usedAt } as unknown as QueryDeepPartialEntity<Row>)
      .where('id = :id', { id: link.id })
      .execute();
    return link;
  }

  private usable<Q extends { andWhere(condition: string, parameters?: object): Q }>(query: Q): Q {
    query.andWhere('link.usedAt IS NULL');
    return this.kind.ttlMs === undefined ? query : query.andWhere('link.expiresAt > :now', { now: this.clock.now() });
  }
}
