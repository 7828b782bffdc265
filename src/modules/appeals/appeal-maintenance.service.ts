import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { returnedRows } from '../../database/returned-rows';
import { AgentsService } from '../agents/agents.service';
import { AuditService } from '../audit/audit.service';
import { NotificationsService } from '../notifications/notifications.service';
import { AppealNotices } from './appeal-notices';
import { AppealTransitions } from './appeal-transitions';
import { AppealsRepository } from './appeals.repository';

/** docs/product.md, Appeals: the reminder goes 2 days before an unanswered appeal expires. */
export const REMINDER_LEAD_MS = 2 * 86_400_000;
/** Appeals one run handles per kind of work; a backlog takes several runs. */
const BATCH = 500;

type Breach = 'first_response' | 'resolution';

/**
 * The scheduled work on appeals, run every SCHEDULER_INTERVAL by whichever worker BullMQ hands
 * the job to. Each step claims its rows with a conditional UPDATE or under the appeal's row
 * lock, so two workers running it at once never act twice on one appeal. Times come from the
 * service's Clock.
 */
@Injectable()
export class AppealMaintenanceService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: AppealsRepository,
    private readonly transitions: AppealTransitions,
    private readonly notices: AppealNotices,
    private readonly notifications: NotificationsService,
    private readonly agents: AgentsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * Flags appeals past their first-response or resolution deadline (the latter shifted by time
   * spent awaiting the customer) and sends the newly flagged ones, in the same transaction, to
   * every active supervisor as one `sla-breach-digest`. A breach is flagged, and reported, once.
   */
  async flagSlaBreaches(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      const flag = async (breach: Breach) => {
        const [due, breached] =
          breach === 'first_response'
            ? ['first_response_due_at', 'first_response_breached_at']
            : ['resolution_due_at', 'resolution_breached_at'];
        const rows = returnedRows<{ reference: string; due_at: Date }>(
          await manager.query(
            `UPDATE appeals SET ${breached} = $1, sla_breached = true
              WHERE id IN (SELECT id FROM appeals WHERE ${due} IS NOT NULL AND ${breached} IS NULL AND ${due} <= $1 ORDER BY ${due} LIMIT $2 FOR UPDATE SKIP LOCKED)
              RETURNING reference, ${due} AS due_at`,
            [now, BATCH],
          ),
        );
        return rows.map((row) => ({ reference: row.reference, breach, dueAt: row.due_at.toISOString() }));
      };
      const appeals = [...(await flag('first_response')), ...(await flag('resolution'))];
      if (!appeals.length) return 0;
      const supervisors = await this.agents.activeSupervisorEmails(manager);
      for (const email of supervisors) {
        await this.notifications.notify(manager, {
          template: 'sla-breach-digest',
          channel: 'email',
          to: email,
          variables: { count: appeals.length, appeals },
        });
      }
      await this.audit.record(manager, {
        action: 'appeal.sla_breaches_flagged',
        actor: { type: 'system' },
        data: { appeals, supervisors: supervisors.length },
      });
      return appeals.length;
    });
  }

  /** `appeal-reminder`, once per wait, to appeals awaiting the customer that expire within 2 days. */
  async remindUnanswered(): Promise<number> {
    const timeoutMs = this.config.appeals.customerTimeoutMs;
    // With a wait of 2 days or less, "2 days before the end" would come before the question itself.
    if (timeoutMs <= REMINDER_LEAD_MS) return 0;
    return this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      const rows = returnedRows<{ id: string; reference: string; contact_email: string; locale: 'en' | 'zh-CN'; awaiting_since: Date }>(
        await manager.query(
          `UPDATE appeals SET reminder_sent_at = $1
            WHERE id IN (SELECT id FROM appeals WHERE status = 'awaiting_customer' AND awaiting_since <= $2 AND awaiting_since > $3 AND reminder_sent_at IS NULL LIMIT $4 FOR UPDATE SKIP LOCKED)
            RETURNING id, reference, contact_email, locale, awaiting_since`,
          [now, new Date(now.getTime() - (timeoutMs - REMINDER_LEAD_MS)), new Date(now.getTime() - timeoutMs), BATCH],
        ),
      );
      for (const row of rows) {
        const expiresAt = new Date(row.awaiting_since.getTime() + timeoutMs).toISOString();
        await this.notices.toContact(
          manager,
          { id: row.id, reference: row.reference, contactEmail: row.contact_email, locale: row.locale },
          'appeal-reminder',
          { expiresAt },
        );
      }
      return rows.length;
    });
  }

  /** Closes as `expired` the appeals that awaited the customer longer than APPEAL_CUSTOMER_TIMEOUT, with `appeal-closed`. */
  async expireUnanswered(): Promise<number> {
    const cutoff = () => new Date(this.clock.nowMs() - this.config.appeals.customerTimeoutMs);
    const candidates: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM appeals WHERE status = 'awaiting_customer' AND awaiting_since <= $1 LIMIT $2`,
      [cutoff(), BATCH],
    );
    let expired = 0;
    for (const { id } of candidates) {
      expired += await this.dataSource.transaction(async (manager) => {
        const appeal = await this.repository.lockById(manager, id);
        // Another worker, or the person's answer, may have come first.
        if (!appeal || appeal.status !== 'awaiting_customer' || !appeal.awaitingSince || appeal.awaitingSince > cutoff()) return 0;
        await this.transitions.byParty(manager, appeal, 'system', 'expire', { actor: { type: 'system' } });
        return 1;
      });
    }
    return expired;
  }

  /**
   * Deletes the attachment bytes (and their thumbnails) of appeals closed longer than EVIDENCE_RETENTION. The appeal,
   * its thread, the attachments' names, sizes and hashes, and the audit log stay: the decision
   * record outlives the evidence.
   */
  async purgeEvidence(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      const purged = returnedRows<{ id: string; reference: string }>(
        await manager.query(
          `UPDATE appeals SET evidence_purged_at = $1
            WHERE id IN (SELECT id FROM appeals WHERE closed_at IS NOT NULL AND evidence_purged_at IS NULL AND closed_at <= $2 LIMIT $3 FOR UPDATE SKIP LOCKED)
            RETURNING id, reference`,
          [now, new Date(now.getTime() - this.config.appeals.evidenceRetentionMs), BATCH],
        ),
      );
      if (!purged.length) return 0;
      const ids = purged.map((row) => row.id);
      await manager.query(
        `DELETE FROM appeal_attachment_contents WHERE attachment_id IN (SELECT id FROM appeal_attachments WHERE appeal_id = ANY($1))`,
        [ids],
      );
      // The thumbnails go with the bytes they were made from.
      await manager.query(
        `DELETE FROM appeal_attachment_previews WHERE attachment_id IN (SELECT id FROM appeal_attachments WHERE appeal_id = ANY($1))`,
        [ids],
      );
      const files = returnedRows<{ appeal_id: string }>(
        await manager.query(
          `UPDATE appeal_attachments SET purged_at = $2 WHERE appeal_id = ANY($1) AND purged_at IS NULL RETURNING appeal_id`,
          [ids, now],
        ),
      );
      for (const row of purged) {
        const attachments = files.filter((file) => file.appeal_id === row.id).length;
        await this.audit.record(manager, {
          action: 'appeal.evidence_purged',
          actor: { type: 'system' },
          subject: { type: 'appeal', id: row.reference },
          data: { attachments },
        });
      }
      return purged.length;
    });
  }
}
