import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { answerNoSoonerThan, PUBLIC_ANSWER_FLOOR_MS } from '../../common/answer-floor';
import { addressKey } from '../../common/client-address';
import { Clock } from '../../common/clock';
import { normaliseEmail } from '../../common/contacts';
import { hashToken, randomBase32, randomToken } from '../../common/crypto/tokens';
import { ValidationFailedError } from '../../common/errors/domain-error';
import { returnedRows } from '../../database/returned-rows';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { AuditService } from '../audit/audit.service';
import { CodeChallengesService } from '../challenges/code-challenges.service';
import { AccountMatcher, ClaimedIdentifiers } from './account-matcher';
import { AppealFiledAlert } from './appeal-filed-alert';
import { AppealFilingLimits, contactCodeBuckets } from './appeal-filing-limits';
import { AppealNotices } from './appeal-notices';
import { AppealRiskService } from './risk/appeal-risk.service';
import { slaAtFiling, slaSettings } from './appeal-sla';
import { ContactMismatchError } from './appeals.errors';
import { changeKeys, normaliseChanges } from './requested-changes';
import { AppealEvidence, RequestedChanges } from './entities/appeal.entity';
import { Locale } from '../../common/locales';

export interface NewAppeal {
  readonly contactVerification: { readonly id: string; readonly code: string };
  readonly account: { readonly uid?: string; readonly logonEmail?: string; readonly securePhone?: string };
  readonly changes: RequestedChanges;
  readonly evidence: AppealEvidence;
  readonly locale?: Locale;
}

export interface FiledAppeal {
  readonly reference: string;
  /** Shown once; only its SHA-256 is kept. */
  readonly accessToken: string;
  readonly status: 'submitted';
}

const CONTACT_SCOPE = { kind: 'appeal_contact' } as const;
const REFERENCE_ATTEMPTS = 5;

/**
 * The public side of appeals before there is one: the contact email's verification, and the
 * filing itself. A filing answers alike whether or not the account exists (status, body and
 * the work done), and is created in the transaction that uses up the contact verification, so
 * a refused filing leaves the code usable.
 */
@Injectable()
export class AppealFilingService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly challenges: CodeChallengesService,
    private readonly matcher: AccountMatcher,
    private readonly limits: AppealFilingLimits,
    private readonly notices: AppealNotices,
    private readonly alert: AppealFiledAlert,
    private readonly risk: AppealRiskService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * Sends a code to the contact email: 5 an hour per email, 20 an hour per IP (429 beyond). In
   * `manager`'s transaction when given (the demo seed reads its own code from the outbox there).
   */
  async verifyContact(
    email: string,
    client: { ip: string; locale?: Locale },
    manager?: EntityManager,
  ): Promise<{ id: string; expiresAt: Date }> {
    const contactEmail = normaliseEmail(email);
    const issue = (tx: EntityManager) =>
      this.challenges.issue(tx, {
        kind: 'appeal_contact',
        method: 'email',
        destination: contactEmail,
        message: { template: 'appeal-contact-code', locale: client.locale ?? 'en', variables: {} },
        context: { email: contactEmail },
        sendLimits: contactCodeBuckets(contactEmail, client.ip),
        ip: client.ip,
      });
    const challenge = manager ? await issue(manager) : await this.dataSource.transaction(issue);
    return { id: challenge.id, expiresAt: challenge.expiresAt };
  }

  /**
   * A new code for a contact verification (the old one stops working), under the same per-email
   * and per-IP allowances as the first, and the challenge's cooldown and cap on sends.
   */
  async resendContactCode(id: string, client: { ip: string }): Promise<{ id: string; expiresAt: Date; contactEmail: string }> {
    const contactEmail = String((await this.challenges.find(id, CONTACT_SCOPE)).context.email);
    const challenge = await this.challenges.resend(id, CONTACT_SCOPE, { sendLimits: contactCodeBuckets(contactEmail, client.ip) });
    return { id: challenge.id, expiresAt: challenge.expiresAt, contactEmail };
  }

  /**
   * Checks the contact code before the form that files with it (the appeal page asks for it
   * first): an attempt is counted, the verification stays usable for the filing. Returns the
   * verified contact email.
   */
  async checkContactCode(id: string, code: string, client: { ip: string }): Promise<{ contactEmail: string }> {
    await this.challenges.check(id, code, CONTACT_SCOPE, { ip: client.ip });
    return { contactEmail: String((await this.challenges.find(id, CONTACT_SCOPE)).context.email) };
  }

  /**
   * Files an appeal; the contacts on record of the one account it names are alerted at once. Checks that can refuse (the new email against the verified contact, the
   * limits) run before the code is compared, so they cost no attempt; the limits run again,
   * serialised, in the transaction that creates the appeal and marks the verification used.
   */
  async file(input: NewAppeal, client: { ip: string }): Promise<FiledAppeal> {
    // An appeal that matches an account also alerts its contacts (AppealFiledAlert): both wait out the same floor.
    return answerNoSoonerThan(PUBLIC_ANSWER_FLOOR_MS, () => this.fileNow(input, client));
  }

  private async fileNow(input: NewAppeal, client: { ip: string }): Promise<FiledAppeal> {
    const claimed = claimedIdentifiers(input.account);
    const changes = normaliseChanges(input.changes);
    const challenge = await this.challenges.find(input.contactVerification.id, CONTACT_SCOPE);
    const contactEmail = String(challenge.context.email);
    if (changes.logonEmail !== undefined && changes.logonEmail.toLowerCase() !== contactEmail.toLowerCase())
      throw new ContactMismatchError();
    const request = { ip: client.ip, contactEmail, claimed };
    await this.limits.assertWithin(this.dataSource.manager, request, false);
    const { match, accountUid } = await this.matcher.match(claimed);

    return this.challenges.verify(input.contactVerification.id, input.contactVerification.code, CONTACT_SCOPE, {
      ip: client.ip,
      onSuccess: async (manager) => {
        await this.limits.assertWithin(manager, request, true);
        // Before any other appeal's row is touched: flooded appeals, and a repeat filer's earlier appeals, are flagged below.
        await this.risk.serialise(manager);
        const now = this.clock.now();
        const accessToken = randomToken();
        const row = {
          id: randomUUID(),
          access_token_hash: hashToken(accessToken),
          status: 'submitted',
          version: 1,
          contact_email: contactEmail,
          locale: input.locale ?? 'en',
          claimed_uid: claimed.uid,
          claimed_email: claimed.logonEmail,
          claimed_phone: claimed.securePhone,
          account_match: match,
          account_uid: accountUid,
          changes: JSON.stringify(changes),
          evidence: JSON.stringify(input.evidence),
          // The key the per-IP filing limit counts by (IPv6: the /64); the audit log keeps the address.
          filed_ip: addressKey(client.ip),
          created_at: now,
          updated_at: now,
        };
        const sla = slaAtFiling(now, slaSettings(this.config));
        const reference = await this.insert(manager, {
          ...row,
          first_response_due_at: sla.firstResponseDueAt,
          resolution_due_at: sla.resolutionDueAt,
        });
        await this.limits.flagFloods(manager, claimed);
        if (accountUid) await this.alert.send(manager, { id: row.id, reference, changes, createdAt: now, accountUid });
        await this.risk.atFiling(manager, row.id, client.ip);
        await this.notices.toContact(manager, { id: row.id, reference, contactEmail, locale: row.locale }, 'appeal-received');
        await this.audit.record(manager, {
          action: 'appeal.filed',
          actor: { type: 'public' },
          subject: { type: 'appeal', id: reference },
          data: { accountMatch: match, accountUid, changes: changeKeys(changes) },
          ip: client.ip,
        });
        return { reference, accessToken, status: 'submitted' as const };
      },
    });
  }

  /** Inserts the appeal under a fresh random reference (drawing again on the rare collision). */
  private async insert(manager: EntityManager, row: Record<string, unknown>): Promise<string> {
    const columns = Object.keys(row);
    for (let attempt = 1; attempt <= REFERENCE_ATTEMPTS; attempt += 1) {
      const reference = `AP-${randomBase32(10)}`;
      const inserted = returnedRows<{ reference: string }>(
        await manager.query(
          `INSERT INTO appeals (reference, ${columns.join(', ')}) VALUES ($1, ${columns.map((_, index) => `$${index + 2}`).join(', ')})
           ON CONFLICT (reference) DO NOTHING RETURNING reference`,
          [reference, ...Object.values(row)],
        ),
      );
      if (inserted.length) return reference;
    }
    throw new Error(`no free appeal reference after ${REFERENCE_ATTEMPTS} attempts`);
  }
}

function claimedIdentifiers(account: NewAppeal['account']): ClaimedIdentifiers {
  const claimed = {
    uid: account.uid ?? null,
    logonEmail: account.logonEmail ? normaliseEmail(account.logonEmail) : null,
    securePhone: account.securePhone ?? null,
  };
  if (!claimed.uid && !claimed.logonEmail && !claimed.securePhone) {
    throw new ValidationFailedError([
      { field: 'account', message: 'must name the account by its UID, a former logon email or a former secure phone' },
    ]);
  }
  return claimed;
}
