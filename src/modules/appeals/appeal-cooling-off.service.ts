import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { NotFoundError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { SingleUseLinks, SingleUseLinksService } from '../../database/single-use-links';
import { JobQueue } from '../../infrastructure/queues/job-queue.service';
import { JobName, QueueName } from '../../infrastructure/queues/queue-names';
import { RETRYING_JOB_OPTIONS } from '../../infrastructure/queues/retry-policy';
import { AccountsService } from '../accounts/accounts.service';
import type { NotificationChannel } from '../notifications/notification-templates';
import { NotificationsService } from '../notifications/notifications.service';
import { AuditService } from '../audit/audit.service';
import { AppealNotices } from './appeal-notices';
import { AppealTransitions } from './appeal-transitions';
import { AppealStatus, isClosed } from './appeal-workflow';
import { AppealPatch, AppealsRepository } from './appeals.repository';
import { AppealObjection } from './entities/appeal-objection.entity';
import { Appeal } from './entities/appeal.entity';
import { changeKeys } from './requested-changes';

/** An objection by a contact that replaced another this long before the filing (or since) is recorded, not obeyed. */
export const OBJECTION_CHANGE_WINDOW_MS = 30 * 86_400_000;

/** `objected`: the appeal stopped; `recorded`: a supervisor decides, the status unchanged. */
export type ObjectionOutcome = { readonly status: 'objected' } | { readonly status: AppealStatus; readonly objection: 'recorded' };

/**
 * The cooling-off between approval and change: the contacts on record are told and may object
 * with a single-use link; a BullMQ job delayed until the end applies the change (the scheduled
 * sweep applies it if Redis lost the job).
 */
@Injectable()
export class AppealCoolingOffService {
  private readonly links: SingleUseLinks<AppealObjection>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: AppealsRepository,
    private readonly accounts: AccountsService,
    private readonly notifications: NotificationsService,
    private readonly notices: AppealNotices,
    private readonly transitions: AppealTransitions,
    private readonly jobs: JobQueue,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly logger: PinoLogger,
    @InjectConfig() private readonly config: AppConfig,
    links: SingleUseLinksService,
  ) {
    logger.setContext(AppealCoolingOffService.name);
    // No expiry of their own: a link works while its appeal is scheduled.
    this.links = links.for({ entity: AppealObjection, path: '/appeal/object' });
  }

  /**
   * Starts the cooling-off of an approved appeal, in the caller's transaction: every contact on
   * record now (the account's logon email and secure phone) gets `appeal-objection` with a link
   * of its own, the person gets `appeal-scheduled`. Returns the appeal's columns to set.
   */
  async start(manager: EntityManager, appeal: Appeal, now: Date): Promise<AppealPatch> {
    const account = await this.accounts.lock(manager, appeal.accountUid!);
    const scheduledFor = new Date(now.getTime() + this.config.appeals.coolingOffMs);
    const changes = changeKeys(appeal.changes);
    const contacts = [
      { channel: 'email' as const, to: account.logonEmail },
      ...(account.securePhone ? [{ channel: 'sms' as const, to: account.securePhone }] : []),
    ];
    for (const contact of contacts) {
      const objectionUrl = await this.issueObjectionLink(manager, appeal.id, contact.channel, now);
      await this.notifications.notify(manager, {
        template: 'appeal-objection',
        channel: contact.channel,
        to: contact.to,
        locale: account.locale,
        timeZone: account.timeZone,
        variables: {
          maskedUid: maskUid(account.uid),
          scheduledFor: scheduledFor.toISOString(),
          changes,
          objectionUrl,
        },
        accountUid: account.uid,
        appealId: appeal.id,
      });
    }
    await this.notices.toContact(manager, appeal, 'appeal-scheduled', { scheduledFor: scheduledFor.toISOString(), changes });
    return { scheduledFor };
  }

  /** A new objection link for one contact of the appeal, through the caller's transaction; returns its absolute URL. */
  async issueObjectionLink(manager: EntityManager, appealId: string, channel: NotificationChannel, now: Date): Promise<string> {
    return this.links.issue(manager, { appealId, channel, createdAt: now, recorded: false });
  }

  /** The appeal an objection link was issued for, used or not (the objection page shows its receipt after use too); null for an unknown link. */
  async objectionAppealId(token: string): Promise<string | null> {
    return (await this.links.find(this.dataSource.manager, token, { includeUsed: true }))?.appealId ?? null;
  }

  /**
   * Puts the appeal's delayed job on the queue, after the commit that scheduled it. A job left
   * under the same id (from an earlier scheduling of a reopened appeal) is removed first, or
   * BullMQ would ignore the add. A failure is only logged: the scheduled sweep applies the appeal.
   */
  async enqueue(appeal: Pick<Appeal, 'id' | 'scheduledFor'>): Promise<void> {
    try {
      await this.jobs.queue(QueueName.Appeals).remove(appeal.id);
      const delay = Math.max(0, (appeal.scheduledFor?.getTime() ?? 0) - this.clock.nowMs());
      await this.jobs.add(
        QueueName.Appeals,
        JobName.ApplyAppeal,
        { appealId: appeal.id },
        { ...RETRYING_JOB_OPTIONS, jobId: appeal.id, delay },
      );
    } catch (error) {
      this.logger.warn({ err: error, appealId: appeal.id }, 'enqueueing the appeal failed; the scheduled sweep will apply it');
    }
  }

  /** Drops the delayed job of an appeal that will not be applied (cancelled, objected); it would find nothing to do anyway. */
  async dequeue(appealId: string): Promise<void> {
    try {
      await this.jobs.queue(QueueName.Appeals).remove(appealId);
    } catch (error) {
      this.logger.warn({ err: error, appealId }, 'removing the appeal job failed; it will find the appeal closed');
    }
  }

  /**
   * What an objection link would stop, without using it (its page is opened by mail scanners
   * too): the account's masked UID, when the change applies and what it changes. 404 as `object`.
   */
  async preview(token: string): Promise<{ maskedUid: string; scheduledFor: Date | null; changes: string[] }> {
    const objection = await this.links.find(this.dataSource.manager, token);
    const appeal = objection ? await this.dataSource.manager.findOneBy(Appeal, { id: objection.appealId }) : null;
    if (!appeal || isClosed(appeal.status) || !appeal.accountUid) throw objectionNotFound();
    // Null while the appeal is not approved yet (a link of `appeal-filed-alert`).
    return { maskedUid: maskUid(appeal.accountUid), scheduledFor: appeal.scheduledFor, changes: changeKeys(appeal.changes) };
  }

  /**
   * A former contact's "this wasn't me": stops a scheduled appeal (`objected`), tells the person
   * (`appeal-closed`). When that contact replaced another within 30 days before the filing (a
   * hijacker may have moved it to their own mailbox), the objection is recorded instead: the
   * appeal stays scheduled but is held (not applied) until a supervisor decides. 404 when the
   * link is unknown or used, or the appeal is no longer scheduled.
   */
  async object(token: string, client: { ip?: string } = {}): Promise<ObjectionOutcome> {
    let outcome: ObjectionOutcome = { status: 'objected' };
    const appealId = await this.dataSource.transaction(async (manager) => {
      const objection = await this.links.redeem(manager, token);
      if (!objection) throw objectionNotFound();
      const appeal = await this.repository.lockById(manager, objection.appealId);
      // Links go out at filing (`appeal-filed-alert`) and at scheduling (`appeal-objection`): either stops an open appeal.
      if (!appeal || isClosed(appeal.status)) throw objectionNotFound();
      const now = this.clock.now();
      const replaced = await this.recentReplacement(manager, appeal, objection.channel === 'sms' ? 'secure_phone' : 'logon_email');
      if (replaced) await manager.update(AppealObjection, { id: objection.id }, { recorded: true });
      if (replaced) {
        // A hijacker who moved the contact to themselves must not veto the owner's appeal: a supervisor decides.
        const held = await this.transitions.move(manager, appeal, appeal.status, now, { patch: { objectionRecordedAt: now } });
        await this.audit.record(manager, {
          action: 'appeal.objection_recorded',
          actor: { type: 'public' },
          subject: { type: 'appeal', id: appeal.reference },
          data: { channel: objection.channel, contactReplacedAt: replaced.toISOString(), version: held.version },
          ip: client.ip,
        });
        outcome = { status: held.status, objection: 'recorded' };
        return null;
      }
      await this.transitions.byParty(manager, appeal, 'former_contact', 'object', {
        actor: { type: 'public' },
        ip: client.ip,
        data: { channel: objection.channel },
      });
      outcome = { status: 'objected' };
      return appeal.id;
    });
    if (appealId) await this.dequeue(appealId);
    return outcome;
  }

  /**
   * When the account's contact of this kind became what it is by replacing another (a change, a
   * revert, a recovery or an appeal; the address given at the account's creation never
   * counts) within OBJECTION_CHANGE_WINDOW before the filing, or since: the latest such time,
   * else null.
   */
  private async recentReplacement(manager: EntityManager, appeal: Appeal, kind: 'logon_email' | 'secure_phone'): Promise<Date | null> {
    if (!appeal.accountUid) return null;
    const since = new Date(appeal.createdAt.getTime() - OBJECTION_CHANGE_WINDOW_MS);
    const former = await this.accounts.formerContacts(appeal.accountUid, manager);
    const recent = former.find((contact) => contact.kind === kind && contact.replacedAt.getTime() >= since.getTime());
    return recent?.replacedAt ?? null;
  }
}

/** `2081536794412356` → `2081********2356`, as the objection notice shows it to contacts. */
export function maskUid(uid: string): string {
  return `${uid.slice(0, 4)}${'*'.repeat(Math.max(0, uid.length - 8))}${uid.slice(-4)}`;
}

function objectionNotFound(): NotFoundError {
  return new NotFoundError('This objection link is unknown or used, or the appeal is closed.');
}
