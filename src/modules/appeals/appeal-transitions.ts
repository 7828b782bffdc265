import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { AuditActor, AuditService } from '../audit/audit.service';
import { AuditAction } from '../audit/audit-actions';
import { ChangedBy } from './appeal-events.service';
import { AppealNotices } from './appeal-notices';
import { slaOnTransition, slaSettings } from './appeal-sla';
import { AppealStatus, decidePartyAction, isClosed, Party, PartyAction } from './appeal-workflow';
import { AppealPatch, AppealsRepository } from './appeals.repository';
import { Appeal } from './entities/appeal.entity';

/** What the lease becomes: granted to an agent until a time, dropped, or left as it is. */
export type LeaseChange = { readonly agentId: string; readonly until: Date } | 'drop' | 'keep';

/** Party actions that close the appeal, and the `reason` of the `appeal-closed` notice they send. */
const CLOSING_REASONS: Partial<Record<PartyAction, 'cancelled' | 'objected' | 'expired'>> = {
  cancel: 'cancelled',
  object: 'objected',
  stop: 'objected',
  expire: 'expired',
};
const AUDIT_ACTION: Record<PartyAction, AuditAction> = {
  reply: 'appeal.customer_replied',
  cancel: 'appeal.cancelled',
  object: 'appeal.objected',
  stop: 'appeal.stopped_by_owner',
  expire: 'appeal.expired',
  complete: 'appeal.completed',
  reject: 'appeal.rejected',
};

/** How the back-office's live events name a party that changed an appeal. */
const PARTY_LABELS: Record<Party, 'the person' | 'the account owner' | 'a former contact' | 'the system'> = {
  customer: 'the person',
  owner: 'the account owner',
  former_contact: 'a former contact',
  system: 'the system',
};

/**
 * Writes a decided transition: the new status with the SLA bookkeeping and lease that go with
 * it, and the next version. Every change of status, by agents, the person, former contacts or
 * workers, goes through `move`.
 */
@Injectable()
export class AppealTransitions {
  constructor(
    private readonly repository: AppealsRepository,
    private readonly notices: AppealNotices,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** `responds`: the person sees an answer (a request for information or a decision), which meets the first-response SLA. */
  move(
    manager: EntityManager,
    appeal: Appeal,
    to: AppealStatus,
    now: Date,
    options: { responds?: boolean; lease?: LeaseChange; patch?: AppealPatch; by?: ChangedBy } = {},
  ): Promise<Appeal> {
    const lease = isClosed(to) ? 'drop' : (options.lease ?? 'keep');
    return this.repository.advance(
      manager,
      appeal,
      {
        status: to,
        ...slaOnTransition(appeal, appeal.status, to, now, slaSettings(this.config), options.responds ?? false),
        ...(lease === 'drop'
          ? { leaseAgentId: null, leaseExpiresAt: null }
          : lease === 'keep'
            ? {}
            : { leaseAgentId: lease.agentId, leaseExpiresAt: lease.until }),
        ...options.patch,
      },
      options.by,
    );
  }

  /**
   * A transition by the person, a former contact or a worker (workflow table permitting), with
   * the `appeal-closed` notice when it closes the appeal, and its audit event.
   */
  async byParty(
    manager: EntityManager,
    appeal: Appeal,
    party: Party,
    action: PartyAction,
    context: { actor: AuditActor; ip?: string; data?: Record<string, unknown>; patch?: AppealPatch },
  ): Promise<Appeal> {
    const from = appeal.status;
    const to = decidePartyAction(appeal, party, action);
    const moved = await this.move(manager, appeal, to, this.clock.now(), { patch: context.patch, by: { label: PARTY_LABELS[party] } });
    const reason = CLOSING_REASONS[action];
    if (reason) await this.notices.toContact(manager, moved, 'appeal-closed', { reason });
    await this.audit.record(manager, {
      action: AUDIT_ACTION[action],
      actor: context.actor,
      subject: { type: 'appeal', id: appeal.reference },
      data: { from, to, version: moved.version, ...context.data },
      ip: context.ip,
    });
    return moved;
  }
}
