import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { RateLimitedError } from '../../common/errors/domain-error';
import { addressKey } from '../../common/client-address';
import { bucket } from '../../infrastructure/limits/limiter';
import { LIMITS } from '../../infrastructure/limits/limits';
import { SendBucket } from '../challenges/challenge-limits';
import { ClaimedIdentifiers } from './account-matcher';
import { OPEN_STATUSES } from './appeal-workflow';

const DAY_MS = 86_400_000;

/** docs/product.md, Appeals: limits on contact codes and on filings. */
export const APPEAL_LIMITS = {
  contactCodesPerEmailPerHour: LIMITS.contactCodesPerEmail.max,
  contactCodesPerIpPerHour: LIMITS.contactCodesPerAddress.max,
  filingsPerIpPerDay: 5,
  filingsPerContactPerDay: 5,
  openPerIdentifier: 3,
} as const;

/** Waiting for an open appeal to close has no fixed end: the person is told to come back in an hour. */
const OPEN_LIMIT_RETRY_SECONDS = 3_600;

/** The contact-code allowances, counted by the challenge engine in Redis (`LIMITS`). */
export function contactCodeBuckets(contactEmail: string, ip: string): SendBucket[] {
  return [bucket(LIMITS.contactCodesPerEmail, contactEmail.toLowerCase()), bucket(LIMITS.contactCodesPerAddress, addressKey(ip))];
}

export interface FilingRequest {
  readonly ip: string;
  readonly contactEmail: string;
  readonly claimed: ClaimedIdentifiers;
}

/**
 * The filing limits, counted from the appeals table itself, so every API process sees the same
 * counts and nothing is counted for a filing that did not happen. The identifier limit counts
 * open appeals by what was typed, never by what it matched: a 429 says nothing about accounts.
 */
@Injectable()
export class AppealFilingLimits {
  constructor(private readonly clock: Clock) {}

  /**
   * Throws 429 RATE_LIMITED when a limit is reached. With `serialise`, first takes a transaction
   * advisory lock per counted key (in one global order, so concurrent filings cannot deadlock)
   * so that two filings racing for the last allowance cannot both get it.
   */
  async assertWithin(manager: EntityManager, request: FilingRequest, serialise: boolean): Promise<void> {
    if (serialise) {
      for (const lock of lockIds(request)) await manager.query('SELECT pg_advisory_xact_lock($1::bigint)', [lock]);
    }
    const now = this.clock.nowMs();
    const since = new Date(now - DAY_MS);
    // One after another: a transaction is one connection, and pg refuses (from pg 9) a query sent while another runs on it.
    const byIp = await this.window(manager, `filed_ip = $1`, addressKey(request.ip), since, APPEAL_LIMITS.filingsPerIpPerDay);
    const byContact = await this.window(
      manager,
      `lower(contact_email) = lower($1)`,
      request.contactEmail,
      since,
      APPEAL_LIMITS.filingsPerContactPerDay,
    );
    const waits = [byIp, byContact].filter((oldest): oldest is Date => oldest !== null).map((oldest) => oldest.getTime() + DAY_MS - now);
    if (waits.length)
      throw new RateLimitedError(
        Math.ceil(Math.max(...waits) / 1000),
        'Too many appeals were filed from here or for this contact email today. Try again later.',
      );

    const { uid, logonEmail, securePhone } = request.claimed;
    const open = [
      uid ? await this.openCount(manager, `claimed_uid = $1`, uid) : 0,
      logonEmail ? await this.openCount(manager, `lower(claimed_email) = lower($1)`, logonEmail) : 0,
      securePhone ? await this.openCount(manager, `claimed_phone = $1`, securePhone) : 0,
    ];
    if (open.some((count) => count >= APPEAL_LIMITS.openPerIdentifier)) {
      // Outside a transaction (the check before the code is compared) the flag stays; inside, it rolls back with the refusal.
      await this.flagFloods(manager, request.claimed);
      throw new RateLimitedError(
        OPEN_LIMIT_RETRY_SECONDS,
        `At most ${APPEAL_LIMITS.openPerIdentifier} appeals can be open for the same account details. Follow or cancel an open one instead.`,
      );
    }
  }

  /**
   * Flags as a flood the open appeals of every identifier typed that has reached the limit of
   * open appeals: for a filing that was refused, and after one that filled the last place.
   * Agents find them with the queue's flood filter and close them, which frees the identifier at
   * once (only open appeals count). Flagged by what was typed, matched or not, like the count,
   * so the work done says nothing about accounts.
   */
  async flagFloods(manager: EntityManager, claimed: ClaimedIdentifiers): Promise<void> {
    const identifiers: [string, string | null][] = [
      ['claimed_uid = $1', claimed.uid],
      ['lower(claimed_email) = lower($1)', claimed.logonEmail],
      ['claimed_phone = $1', claimed.securePhone],
    ];
    for (const [condition, value] of identifiers) {
      if (!value) continue;
      await manager.query(
        `UPDATE appeals SET flood = true
          WHERE ${condition} AND status = ANY($2) AND NOT flood
            AND (SELECT count(*) FROM appeals WHERE ${condition} AND status = ANY($2)) >= $3`,
        [value, OPEN_STATUSES, APPEAL_LIMITS.openPerIdentifier],
      );
    }
  }

  /** The oldest filing of the window when the window is full, else null. */
  private async window(manager: EntityManager, condition: string, value: string, since: Date, limit: number): Promise<Date | null> {
    const rows: { created_at: Date }[] = await manager.query(
      `SELECT created_at FROM appeals WHERE ${condition} AND created_at > $2 ORDER BY created_at DESC LIMIT $3`,
      [value, since, limit],
    );
    return rows.length >= limit ? rows[rows.length - 1].created_at : null;
  }

  private async openCount(manager: EntityManager, condition: string, value: string): Promise<number> {
    const [row] = (await manager.query(`SELECT count(*)::int AS count FROM appeals WHERE ${condition} AND status = ANY($2)`, [
      value,
      OPEN_STATUSES,
    ])) as { count: number }[];
    return row.count;
  }
}

/** 64-bit advisory lock ids of the keys a filing counts against, sorted: one order for every transaction. */
function lockIds(request: FilingRequest): string[] {
  const keys = [
    `ip:${addressKey(request.ip)}`,
    `contact:${request.contactEmail.toLowerCase()}`,
    ...(request.claimed.uid ? [`uid:${request.claimed.uid}`] : []),
    ...(request.claimed.logonEmail ? [`email:${request.claimed.logonEmail.toLowerCase()}`] : []),
    ...(request.claimed.securePhone ? [`phone:${request.claimed.securePhone}`] : []),
  ];
  const ids = keys.map((key) => createHash('sha256').update(`appeal-filing:${key}`).digest().readBigInt64BE(0));
  return [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
}
