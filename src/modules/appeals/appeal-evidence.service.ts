import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service';
import { Account } from '../accounts/entities/account.entity';
import { Appeal } from './entities/appeal.entity';
import { AccountRecords, EvidenceChecklist, evidenceChecklist } from './evidence-checklist';

/** The evidence checklist of an appeal against the account's records as they are now. */
@Injectable()
export class AppealEvidenceService {
  constructor(private readonly accounts: AccountsService) {}

  async checklist(manager: EntityManager, appeal: Appeal, account?: Account | null): Promise<EvidenceChecklist> {
    return evidenceChecklist(appeal, await this.records(manager, appeal, account));
  }

  private async records(manager: EntityManager, appeal: Appeal, known?: Account | null): Promise<AccountRecords | null> {
    if (!appeal.accountUid) return null;
    // One after another: `manager` may be a transaction's, one connection that takes one query at a time.
    const account = known ?? (await this.accounts.get(appeal.accountUid, manager));
    const former = await this.accounts.formerContacts(appeal.accountUid, manager);
    return {
      uid: account.uid,
      logonEmail: account.logonEmail,
      securePhone: account.securePhone,
      displayName: account.displayName,
      formerLogonEmails: former.filter((contact) => contact.kind === 'logon_email').map((contact) => contact.value),
      formerSecurePhones: former.filter((contact) => contact.kind === 'secure_phone').map((contact) => contact.value),
    };
  }
}
