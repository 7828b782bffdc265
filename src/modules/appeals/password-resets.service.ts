import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { hashToken, randomToken } from '../../common/crypto/tokens';
import { NotFoundError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { returnedRows } from '../../database/returned-rows';
import { AccountsService } from '../accounts/accounts.service';
import { PasswordChangeService } from '../accounts/changes/password-change.service';
import { PasswordReset } from './entities/password-reset.entity';

/** docs/product.md, Appeals: single use, valid 24 h. */
export const PASSWORD_RESET_TTL_MS = 24 * 3_600_000;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Password-reset links: issued when an appeal that asked for a reset completes, used once to set
 * a new logon password. It is set as every new password is (PasswordChangeService): the policy,
 * root sessions signed out, the `password-changed` notices with their "this wasn't me" link.
 */
@Injectable()
export class PasswordResetsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly passwords: PasswordChangeService,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** A new link for the account, through the caller's transaction; returns its absolute URL. */
  async issue(manager: EntityManager, accountUid: string, appealId: string | null): Promise<string> {
    const token = randomToken();
    const now = this.clock.now();
    await manager.insert(PasswordReset, {
      id: randomUUID(),
      tokenHash: hashToken(token),
      accountUid,
      appealId,
      expiresAt: new Date(now.getTime() + PASSWORD_RESET_TTL_MS),
      usedAt: null,
      createdAt: now,
    } satisfies PasswordReset);
    return `${this.config.http.publicBaseUrl}/reset-password/${token}`;
  }

  /** The account a link is for, without using it (the page shows its form on GET): 404 when it is unknown, used or expired. */
  async preview(token: string): Promise<{ uid: string }> {
    return { uid: (await this.usable(this.dataSource.manager, token)).accountUid };
  }

  /**
   * Sets the password the link was issued for. 404 when the link is unknown, used or expired;
   * 422 PASSWORD_POLICY leaves the link usable. Returns the account's UID.
   */
  async reset(token: string, newPassword: string, client: { ip?: string } = {}): Promise<{ uid: string }> {
    const reset = await this.usable(this.dataSource.manager, token);
    const account = await this.accounts.get(reset.accountUid);
    const passwordHash = await this.passwords.acceptableHash(account, newPassword);
    await this.dataSource.transaction(async (manager) => {
      const used = returnedRows(
        await manager.query(`UPDATE password_resets SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2 RETURNING id`, [
          reset.id,
          this.clock.now(),
        ]),
      );
      if (!used.length) throw notFound();
      const current = await this.accounts.lock(manager, account.uid);
      await this.passwords.apply(manager, current, passwordHash, {
        action: 'account.password_reset',
        actor: { type: 'public' },
        data: { passwordResetId: reset.id, appealId: reset.appealId },
        ip: client.ip,
      });
    });
    return { uid: account.uid };
  }

  private async usable(manager: EntityManager, token: string): Promise<PasswordReset> {
    const reset = TOKEN.test(token) ? await manager.findOneBy(PasswordReset, { tokenHash: hashToken(token) }) : null;
    if (!reset || reset.usedAt || reset.expiresAt.getTime() <= this.clock.nowMs()) throw notFound();
    return reset;
  }
}

function notFound(): NotFoundError {
  return new NotFoundError('This link is unknown, used or expired. File a new appeal or use password recovery.');
}
