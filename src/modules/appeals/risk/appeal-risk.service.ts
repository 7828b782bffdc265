import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { disposableEmailBlocklistSet } from 'disposable-email-domains-js';
import { EntityManager } from 'typeorm';
import { Clock } from '../../../common/clock';
import { AccountsService } from '../../accounts/accounts.service';
import { networkOf } from '../../accounts/network';
import { Appeal } from '../entities/appeal.entity';
import { NEAR_DUPLICATE_DISTANCE } from './perceptual-hash';
import { RiskFinding, RiskSignal, RiskSignals } from './risk-signals';

const DAY_MS = 86_400_000;
/** docs/appeals.md, "Evidence signals". */
export const RISK_RULES = {
  newNetworkLookbackMs: 90 * DAY_MS,
  repeatFilerWindowMs: 30 * DAY_MS,
  repeatFilerAccounts: 3,
  recentContactChangeMs: 7 * DAY_MS,
} as const;

/** Every transaction that writes the signals of more than one appeal takes this lock before locking any appeal. */
const RISK_LOCK = createHash('sha256').update('appeal-risk-signals').digest().readBigInt64BE(0).toString();

/** Two appeals name different accounts unless they match the same account or typed an identifier alike. */
const DIFFERENT_ACCOUNT = `NOT (coalesce(a.account_uid = o.account_uid, false) OR coalesce(a.claimed_uid = o.claimed_uid, false)
        OR coalesce(lower(a.claimed_email) = lower(o.claimed_email), false) OR coalesce(a.claimed_phone = o.claimed_phone, false))`;

let disposableDomains: Set<string> | undefined;

/** True when the email's domain, or a domain it is under, is on the disposable-mail list. */
export function isDisposableContact(email: string): boolean {
  disposableDomains ??= disposableEmailBlocklistSet();
  const labels = email
    .slice(email.lastIndexOf('@') + 1)
    .trim()
    .toLowerCase()
    .split('.');
  for (let start = 0; start < labels.length - 1; start += 1) if (disposableDomains.has(labels.slice(start).join('.'))) return true;
  return false;
}

/** The network of the address a filing came from, from the key the appeal keeps (IPv4 whole, IPv6 by its /64). */
export function filingNetwork(filedKey: string): string {
  return networkOf(filedKey.replace(/\/64$/, ''));
}

interface DuplicateMatch {
  mine: string;
  theirs: string;
  reference: string;
  distance: number;
  exact: boolean;
}

/**
 * The evidence signals of appeals (docs/appeals.md): found at filing and after each upload, in
 * that transaction, and merged into `appeals.risk_signals` (a signal once found stays). A
 * duplicate links both appeals, so an upload also renews the duplicate signal of the appeals it
 * repeats; a repeat filer's filing flags the appeals it is counted with.
 */
@Injectable()
export class AppealRiskService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly clock: Clock,
  ) {}

  /**
   * Taken first by a transaction that will write signals of other appeals (an upload, a filing),
   * before it locks any appeal, so that two such transactions never wait on each other's rows.
   */
  async serialise(manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock($1::bigint)', [RISK_LOCK]);
  }

  /** At filing, in its transaction (after `serialise`): the contact's and the account's signals, and the repeat filer's earlier appeals. */
  async atFiling(manager: EntityManager, appealId: string, filingIp: string): Promise<void> {
    const appeal = await manager.findOneByOrFail(Appeal, { id: appealId });
    const found = await this.evaluate(manager, appeal, networkOf(filingIp));
    await this.store(manager, appeal.id, found);
    const repeat = found.repeat_filer;
    if (repeat?.appeals?.length) {
      const others = await manager.find(Appeal, { where: repeat.appeals.map((reference) => ({ reference })), order: { id: 'ASC' } });
      for (const other of others)
        await this.store(manager, other.id, {
          repeat_filer: { ...repeat, appeals: [appeal.reference, ...repeat.appeals.filter((reference) => reference !== other.reference)] },
        });
    }
  }

  /** After an upload, in its transaction (after `serialise`): every signal of the appeal again, and the duplicate signal of the appeals it repeats. */
  async atUpload(manager: EntityManager, appealId: string): Promise<void> {
    const appeal = await manager.findOneByOrFail(Appeal, { id: appealId });
    const found = await this.evaluate(manager, appeal, appeal.filedIp ? filingNetwork(appeal.filedIp) : null);
    await this.store(manager, appeal.id, found);
    const linked = found.duplicate_evidence?.appeals ?? [];
    if (!linked.length) return;
    const others = await manager.find(Appeal, { where: linked.map((reference) => ({ reference })), order: { id: 'ASC' } });
    for (const other of others) {
      const duplicate = await this.duplicates(manager, other.id);
      if (duplicate) await this.store(manager, other.id, { duplicate_evidence: duplicate });
    }
  }

  /** Every signal that holds for the appeal now, judged at its filing time. */
  async evaluate(manager: EntityManager, appeal: Appeal, network: string | null): Promise<RiskSignals> {
    const filedAt = appeal.createdAt;
    const at = this.clock.now().toISOString();
    const found: Partial<Record<RiskSignal, RiskFinding>> = {};
    if (isDisposableContact(appeal.contactEmail))
      found.disposable_contact = {
        reason: `The contact email's domain ${appeal.contactEmail.slice(appeal.contactEmail.lastIndexOf('@') + 1)} gives out throw-away addresses.`,
        at,
      };
    if (appeal.accountUid && network) {
      const addresses = await this.accounts.signInAddresses(
        appeal.accountUid,
        new Date(filedAt.getTime() - RISK_RULES.newNetworkLookbackMs),
        filedAt,
        manager,
      );
      const networks = new Set(addresses.map(networkOf));
      if (networks.size && !networks.has(network))
        found.new_network = {
          reason: `Filed from ${network}; the account's sign-ins of the 90 days before came from ${networks.size} other network${networks.size === 1 ? '' : 's'}, never this one.`,
          at,
        };
    }
    if (appeal.accountUid) {
      const since = filedAt.getTime() - RISK_RULES.recentContactChangeMs;
      const changes = (await this.accounts.formerContacts(appeal.accountUid, manager)).filter(
        (contact) => contact.replacedAt.getTime() > since && contact.replacedAt.getTime() <= filedAt.getTime(),
      );
      if (changes.length)
        found.recent_contact_change = {
          reason: changes
            .map(
              (change) =>
                `The ${change.kind === 'logon_email' ? 'logon email' : 'secure phone'} changed ${utc(change.replacedAt)}, ${ago(filedAt.getTime() - change.replacedAt.getTime())} before the filing.`,
            )
            .join(' '),
          at,
        };
    }
    const repeat = await this.repeatFiler(manager, appeal);
    if (repeat) found.repeat_filer = { ...repeat, at };
    const edited: { filename: string; edit_evidence: string }[] = await manager.query(
      `SELECT filename, edit_evidence FROM appeal_attachments WHERE appeal_id = $1 AND edit_evidence IS NOT NULL ORDER BY created_at`,
      [appeal.id],
    );
    if (edited.length) found.edited_image = { reason: edited.map((file) => `${file.filename}: ${file.edit_evidence}.`).join(' '), at };
    const duplicate = await this.duplicates(manager, appeal.id);
    if (duplicate) found.duplicate_evidence = duplicate;
    return found;
  }

  /** The contact filed for 3 or more different accounts in the 30 days up to this filing: the reason and the other appeals. */
  private async repeatFiler(manager: EntityManager, appeal: Appeal): Promise<{ reason: string; appeals: string[] } | null> {
    const rows: { reference: string; account: string }[] = await manager.query(
      `SELECT reference, coalesce(account_uid, claimed_uid, lower(claimed_email), claimed_phone) AS account
         FROM appeals WHERE lower(contact_email) = lower($1) AND created_at > $2 AND created_at <= $3
        ORDER BY created_at`,
      [appeal.contactEmail, new Date(appeal.createdAt.getTime() - RISK_RULES.repeatFilerWindowMs), appeal.createdAt],
    );
    const accounts = new Set(rows.map((row) => row.account));
    if (accounts.size < RISK_RULES.repeatFilerAccounts) return null;
    return {
      reason: `The contact email filed appeals for ${accounts.size} different accounts in the 30 days up to this filing.`,
      appeals: rows.map((row) => row.reference).filter((reference) => reference !== appeal.reference),
    };
  }

  /**
   * The appeal's attachments found again in appeals that name another account: the same bytes
   * (SHA-256) or nearly the same image (perceptual hash within 8 bits, by the banded index).
   * Images under 32×32 or of one colour have no hash and count for neither.
   */
  private async duplicates(manager: EntityManager, appealId: string): Promise<RiskFinding | null> {
    const exact: DuplicateMatch[] = await manager.query(
      `SELECT mine.filename AS mine, other.filename AS theirs, o.reference, 0 AS distance, true AS exact
         FROM appeal_attachments mine
         JOIN appeals a ON a.id = mine.appeal_id
         JOIN appeal_attachments other ON other.sha256 = mine.sha256 AND other.appeal_id <> mine.appeal_id
         JOIN appeals o ON o.id = other.appeal_id
        WHERE mine.appeal_id = $1 AND (mine.content_type = 'application/pdf' OR mine.perceptual_hash IS NOT NULL) AND ${DIFFERENT_ACCOUNT}`,
      [appealId],
    );
    const near: DuplicateMatch[] = await manager.query(
      `SELECT DISTINCT ON (mine.id, other.id) mine.filename AS mine, other.filename AS theirs, o.reference,
              bit_count((b.perceptual_hash # mine.perceptual_hash)::bit(64))::int AS distance, false AS exact
         FROM appeal_attachments mine
         JOIN appeals a ON a.id = mine.appeal_id
         JOIN appeal_attachment_hash_bands mb ON mb.attachment_id = mine.id
         JOIN appeal_attachment_hash_bands b ON b.band = mb.band AND b.value = mb.value AND b.attachment_id <> mine.id
              AND bit_count((b.perceptual_hash # mine.perceptual_hash)::bit(64)) <= $2
         JOIN appeal_attachments other ON other.id = b.attachment_id AND other.appeal_id <> mine.appeal_id AND other.sha256 <> mine.sha256
         JOIN appeals o ON o.id = other.appeal_id
        WHERE mine.appeal_id = $1 AND ${DIFFERENT_ACCOUNT}`,
      [appealId, NEAR_DUPLICATE_DISTANCE],
    );
    const matches = [...exact, ...near];
    if (!matches.length) return null;
    const references = [...new Set(matches.map((match) => match.reference))].sort();
    const reason = matches
      .map((match) =>
        match.exact
          ? `${match.mine} is the same file (SHA-256) as ${match.theirs} of ${match.reference}`
          : `${match.mine} is nearly the same image as ${match.theirs} of ${match.reference} (perceptual hash, ${match.distance} of 64 bits differ)`,
      )
      .join('; ');
    return { reason: `${reason}, filed for another account.`, appeals: references, at: this.clock.now().toISOString() };
  }

  /** Adds or renews these findings; a signal found before stays. */
  private async store(manager: EntityManager, appealId: string, found: RiskSignals): Promise<void> {
    if (!Object.keys(found).length) return;
    await manager.query(`UPDATE appeals SET risk_signals = risk_signals || $2::jsonb WHERE id = $1`, [appealId, JSON.stringify(found)]);
  }
}

function utc(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function ago(ms: number): string {
  const hours = Math.round(ms / 3_600_000);
  return hours < 48 ? `${hours} hour${hours === 1 ? '' : 's'}` : `${Math.round(hours / 24)} days`;
}
