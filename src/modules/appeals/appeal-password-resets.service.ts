import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { NotFoundError } from '../../common/errors/domain-error';
import { SingleUseLinks, SingleUseLinksService } from '../../database/single-use-links';
import { AccountsService } from '../accounts/accounts.service';
import { PasswordChangeService } from '../accounts/changes/password-change.service';
import { PasswordReset } from './entities/password-reset.entity';

/** docs/product.md, Appeals: single use, valid 24 h. */
export const PASSWORD_RESET_TTL_MS = 24 * 3_600_000;

/**
 * Password-reset links of appeals: issued when an appeal that asked for a reset completes, used
 * once to set a new logon password (the forgot-password flow, with a code, is
 * PasswordRecoveryService). It is set as every new password is (PasswordChangeService): the
 * policy, root sessions signed out, the `password-changed` notices with their "this wasn't me" link.
 */
@Injectable()
export class AppealPasswordResetsService {
  private readonly links: SingleUseLinks<PasswordReset>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly passwords: PasswordChangeService,
    private readonly clock: Clock,
    links: SingleUseLinksService,
  ) {
    this.links = links.for({ entity: PasswordReset, path: '/reset-password', ttlMs: PASSWORD_RESET_TTL_MS });
  }

  /** A new link for the account, through the caller's transaction; returns its absolute URL. */
  async issue(manager: EntityManager, accountUid: string, appealId: string | null): Promise<string> {
    return this.links.issue(manager, { accountUid, appealId, createdAt: this.clock.now() });
  }

  /** The account a link is for, without using it (the page shows its form on GET): 404 when it is unknown, used or expired. */
  async preview(token: string): Promise<{ uid: string }> {
    return { uid: (await this.usable(token)).accountUid };
  }

  /**
   * Sets the password the link was issued for. 404 when the link is unknown, used or expired;
   * 422 PASSWORD_POLICY leaves the link usable. Returns the account's UID.
   */
  async reset(token: string, newPassword: string, client: { ip?: string } = {}): Promise<{ uid: string }> {
    const reset = await this.usable(token);
    const account = await this.accounts.get(reset.accountUid);
    const passwordHash = await this.passwords.acceptableHash(account, newPassword);
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.links.redeem(manager, token))) throw notFound();
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

  private async usable(token: string): Promise<PasswordReset> {
    const reset = await this.links.find(this.dataSource.manager, token);
    if (!reset) throw notFound();
    return reset;
  }
}

function notFound(): NotFoundError {
  return new NotFoundError('This link is unknown, used or expired. File a new appeal or use password recovery.');
}
