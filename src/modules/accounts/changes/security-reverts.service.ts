import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../common/clock';
import { hashToken, randomToken } from '../../../common/crypto/tokens';
import { NotFoundError } from '../../../common/errors/domain-error';
import { AppConfig } from '../../../config/app-config';
import { InjectConfig } from '../../../config/config.module';
import { returnedRows } from '../../../database/returned-rows';
import { AuditService } from '../../audit/audit.service';
import { AccountFreezeService } from '../account-freeze.service';
import { EmailInUseError } from '../accounts.errors';
import { AccountsService } from '../accounts.service';
import { ContactKind } from '../entities/former-contact.entity';
import { PasskeyCredentialsService } from '../passkey-credentials.service';
import { RevertKind, SecurityRevert } from '../entities/security-revert.entity';

/** What a link restored (`passkey`: the passkey of a `passkey-added` notice removed). */
export type RevertedKind = ContactKind | 'passkey';

/** How long a "this wasn't me" link works. */
export const REVERT_LINK_TTL_MS = 7 * 86_400_000;

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface RevertLink {
  readonly accountUid: string;
  readonly kind: RevertKind;
  /** The value the link restores: the replaced logon email or phone (null: a phone that was added); the passkey to remove. Unused for a password change. */
  readonly formerValue: string | null;
}

interface RevertRow {
  readonly account_uid: string;
  readonly kind: RevertKind;
  readonly former_value: string | null;
}

/**
 * "This wasn't me": every change notice to a former contact carries a single-use link, valid 7
 * days. Using it restores the value it was issued for (if no other account has taken it since),
 * revokes every session and trusted device, and freezes the account.
 */
@Injectable()
export class SecurityRevertsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly freezer: AccountFreezeService,
    private readonly passkeys: PasskeyCredentialsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** Issues a link through the caller's transaction (the change's own) and returns its absolute URL. */
  async issue(manager: EntityManager, link: RevertLink): Promise<string> {
    const token = randomToken();
    await manager.insert(SecurityRevert, {
      id: randomUUID(),
      tokenHash: hashToken(token),
      accountUid: link.accountUid,
      kind: link.kind,
      formerValue: link.formerValue,
      expiresAt: new Date(this.clock.nowMs() + REVERT_LINK_TTL_MS),
      usedAt: null,
    });
    return `${this.config.http.publicBaseUrl}/secure/revert/${token}`;
  }

  /** What a link would do, without using it (its page is opened by mail scanners too): 404 when it is unknown, used or expired. */
  async preview(token: string): Promise<RevertLink> {
    const [link] = TOKEN.test(token)
      ? ((await this.dataSource.query(
          `SELECT account_uid, kind, former_value FROM security_reverts WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`,
          [hashToken(token), this.clock.now()],
        )) as RevertRow[])
      : [];
    if (!link) throw unknownLink();
    return { accountUid: link.account_uid, kind: link.kind, formerValue: link.former_value };
  }

  /** Uses a link: 404 when it is unknown, used or expired. Says what was restored. */
  async revert(token: string, ip?: string): Promise<{ reverted: RevertedKind[] }> {
    if (!TOKEN.test(token)) throw unknownLink();
    return this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      const [link] = returnedRows<RevertRow>(
        await manager.query(
          `UPDATE security_reverts SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING account_uid, kind, former_value`,
          [hashToken(token), now],
        ),
      );
      if (!link) throw unknownLink();
      // In the freeze's lock order (challenges, then the account): a code confirmed meanwhile cannot deadlock with it.
      const account = await this.freezer.lockAccount(manager, link.account_uid);
      const reverted: RevertedKind[] = [];
      let replacedEmail: string | undefined;

      if (
        link.kind === 'logon_email' &&
        link.former_value !== null &&
        link.former_value.toLowerCase() !== account.logonEmail.toLowerCase()
      ) {
        if (await this.restoreEmail(manager, account.uid, link.former_value)) {
          reverted.push('logon_email');
          replacedEmail = account.logonEmail;
        }
      }
      if (link.kind === 'secure_phone' && link.former_value !== account.securePhone) {
        await this.accounts.setSecurePhone(manager, account.uid, link.former_value);
        reverted.push('secure_phone');
      }
      // The passkey of a `passkey-added` notice: removed, unless its owner already did.
      if (link.kind === 'passkey' && link.former_value !== null && (await this.passkeys.remove(manager, account.uid, link.former_value)))
        reverted.push('passkey');

      // The link is the only credential: the actor is whoever holds it.
      const context = { actor: { type: 'public' as const }, ip };
      await this.freezer.freeze(manager, account.uid, {
        reason: 'security_revert',
        forgetDevices: true,
        alsoNotify: replacedEmail ? [replacedEmail] : [],
        context,
      });
      await this.audit.record(manager, {
        action: 'account.change_reverted',
        actor: context.actor,
        subject: { type: 'account', id: account.uid },
        data: { kind: link.kind, reverted },
        ip,
      });
      return { reverted };
    });
  }

  /** Restores a former logon email unless another account has taken it since (a savepoint keeps the rest of the revert). */
  private async restoreEmail(manager: EntityManager, uid: string, email: string): Promise<boolean> {
    try {
      await manager.transaction((savepoint) => this.accounts.setLogonEmail(savepoint, uid, email));
      return true;
    } catch (error) {
      if (error instanceof EmailInUseError) return false;
      throw error;
    }
  }
}

function unknownLink(): NotFoundError {
  return new NotFoundError('This link is unknown, has expired or has already been used.');
}
