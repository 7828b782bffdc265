import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service';
import { AuditService } from '../audit/audit.service';
import { NotificationsService } from '../notifications/notifications.service';
import { AppealCoolingOffService, maskUid } from './appeal-cooling-off.service';
import { Appeal } from './entities/appeal.entity';
import { changeKeys } from './requested-changes';

/**
 * The owner hears of an appeal against the account when it is filed, not only once it is
 * approved: the logon email and the secure phone on record each get `appeal-filed-alert` with a
 * single-use objection link of their own (issued by AppealCoolingOffService, the same link as
 * `appeal-objection`'s). Only an appeal that names
 * exactly one account is alerted; the filer's answer is the same either way.
 */
@Injectable()
export class AppealFiledAlert {
  constructor(
    private readonly accounts: AccountsService,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    private readonly coolingOff: AppealCoolingOffService,
  ) {}

  /** In the filing's transaction: the links, the messages, and an event in the account's security activity. */
  async send(
    manager: EntityManager,
    appeal: Pick<Appeal, 'id' | 'reference' | 'changes' | 'createdAt'> & { readonly accountUid: string },
  ): Promise<void> {
    const account = await this.accounts.get(appeal.accountUid, manager);
    const changes = changeKeys(appeal.changes);
    const contacts = [
      { channel: 'email' as const, to: account.logonEmail },
      ...(account.securePhone ? [{ channel: 'sms' as const, to: account.securePhone }] : []),
    ];
    for (const contact of contacts) {
      const objectionUrl = await this.coolingOff.issueObjectionLink(manager, appeal.id, contact.channel, appeal.createdAt);
      await this.notifications.notify(manager, {
        template: 'appeal-filed-alert',
        channel: contact.channel,
        to: contact.to,
        locale: account.locale,
        variables: {
          maskedUid: maskUid(account.uid),
          reference: appeal.reference,
          filedAt: appeal.createdAt.toISOString(),
          changes,
          objectionUrl,
        },
        accountUid: account.uid,
        appealId: appeal.id,
      });
    }
    await this.audit.record(manager, {
      action: 'account.appeal_filed',
      actor: { type: 'public' },
      subject: { type: 'account', id: account.uid },
      data: { reference: appeal.reference, changes, alerted: contacts.map((contact) => contact.channel) },
      // No address: whoever is signed in may be the hijacker the real owner appeals against, and
      // must not learn where the owner is. `appeal.filed` keeps the filer's address for the agents.
    });
  }
}
