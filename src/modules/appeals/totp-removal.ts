import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service';

/**
 * What "TOTP removed" means when an appeal completes with `disableTotp`, in the completion's
 * transaction: the secret goes, and with it whatever else stands in for a TOTP code. This is the
 * one place to extend when another factor rides on TOTP: the recovery codes of TOTP enrolment
 * are deleted here once they exist.
 */
@Injectable()
export class TotpRemoval {
  constructor(private readonly accounts: AccountsService) {}

  async remove(manager: EntityManager, accountUid: string): Promise<void> {
    await this.accounts.setTotpSecret(manager, accountUid, null);
  }
}
