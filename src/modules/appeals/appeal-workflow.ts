import { AgentRole } from '../agents/entities/agent.entity';
import {
  AppealClosedError,
  LeaseHeldError,
  StaleVersionError,
  TransitionForbiddenError,
  TransitionNotAllowedError,
} from './appeals.errors';

export const APPEAL_STATUSES = [
  'submitted',
  'in_review',
  'awaiting_customer',
  'pending_second_approval',
  'scheduled',
  'completed',
  'rejected',
  'cancelled',
  'objected',
  'expired',
] as const;
export type AppealStatus = (typeof APPEAL_STATUSES)[number];

/** Closed appeals take no more messages, uploads or cancellation; their evidence is purged after EVIDENCE_RETENTION. */
export const CLOSED_STATUSES: readonly AppealStatus[] = ['completed', 'rejected', 'cancelled', 'objected', 'expired'];
export const OPEN_STATUSES: readonly AppealStatus[] = APPEAL_STATUSES.filter((status) => !CLOSED_STATUSES.includes(status));

export function isClosed(status: AppealStatus): boolean {
  return CLOSED_STATUSES.includes(status);
}

/** What agents do, as the back-office names its buttons' routes. */
export const AGENT_ACTIONS = [
  'claim',
  'release',
  'takeover',
  'note',
  'request_info',
  'approve',
  'second_approve',
  'reject',
  'reopen',
  'uphold_objection',
  'dismiss_objection',
] as const;
export type AgentAction = (typeof AGENT_ACTIONS)[number];
/**
 * Actions with forms of their own rather than the page's action buttons: a supervisor's bulk
 * rejection, release or assignment from the queue (an assignment is also what the
 * auto-assignment does), and an agent's check of the owner facts in the evidence checklist.
 */
export type BulkAction = 'reject_duplicate' | 'check_facts' | 'bulk_release' | 'assign';

/** What the person, a former contact and the workers do. */
export type PartyAction = 'reply' | 'cancel' | 'object' | 'stop' | 'expire' | 'complete' | 'reject';
/** `owner`: the account's owner, signed in and verified, stopping an appeal against the account. */
export type Party = 'customer' | 'former_contact' | 'owner' | 'system';

/**
 * How an agent action treats the lease: `acquire` takes it (free, expired or already the
 * agent's: a claim renews), `holder` needs the agent to be its holder (and renews it), `take`
 * takes it from whoever holds it (a supervisor's takeover), `none` ignores it.
 */
export type LeaseRule = 'acquire' | 'holder' | 'take' | 'none';
/** What happens to the lease after the action. */
type LeaseEffect = 'grant' | 'drop' | 'keep';

interface AgentTransition {
  readonly action: AgentAction | BulkAction;
  readonly from: AppealStatus;
  /** `same`: the status does not change (notes, takeover, a claim that renews). */
  readonly to: AppealStatus | 'same' | ((options: WorkflowOptions) => AppealStatus);
  readonly roles: readonly AgentRole[];
  readonly lease: LeaseRule;
  readonly then: LeaseEffect;
  /** Four-eyes: the agent who approved may not do this. */
  readonly notTheApprover?: boolean;
  /** Only for an appeal whose identifiers name exactly one account (there is nothing to change otherwise). */
  readonly needsAccount?: boolean;
  /** Only while a recorded objection holds the appeal (a supervisor's decision on it). */
  readonly needsRecordedObjection?: boolean;
}

interface PartyTransition {
  readonly action: PartyAction;
  readonly by: Party;
  readonly from: readonly AppealStatus[];
  readonly to: AppealStatus;
}

const ANYONE: readonly AgentRole[] = ['agent', 'supervisor', 'admin'];
const SUPERVISORS: readonly AgentRole[] = ['supervisor', 'admin'];

export interface WorkflowOptions {
  /** APPEAL_FOUR_EYES: an approval waits for a second supervisor's confirmation. */
  readonly fourEyes: boolean;
}

/**
 * The appeal workflow, every transition in one table (docs/product.md, Appeals; docs/api.md, Back-office
 * pages). Services ask `decideAgentAction` / `decidePartyAction` before changing anything and
 * `allowedAgentActions` to show the agent exactly the buttons that would work.
 */
export const AGENT_TRANSITIONS: readonly AgentTransition[] = [
  { action: 'claim', from: 'submitted', to: 'in_review', roles: ANYONE, lease: 'acquire', then: 'grant' },
  // Renews the agent's own lease, or takes one that expired (or was released by a takeover's end).
  { action: 'claim', from: 'in_review', to: 'same', roles: ANYONE, lease: 'acquire', then: 'grant' },
  { action: 'release', from: 'in_review', to: 'submitted', roles: ANYONE, lease: 'holder', then: 'drop' },
  { action: 'takeover', from: 'in_review', to: 'same', roles: SUPERVISORS, lease: 'take', then: 'grant' },
  { action: 'takeover', from: 'awaiting_customer', to: 'same', roles: SUPERVISORS, lease: 'take', then: 'grant' },
  ...APPEAL_STATUSES.map((from): AgentTransition => ({ action: 'note', from, to: 'same', roles: ANYONE, lease: 'none', then: 'keep' })),
  { action: 'request_info', from: 'in_review', to: 'awaiting_customer', roles: ANYONE, lease: 'holder', then: 'grant' },
  {
    action: 'approve',
    from: 'in_review',
    to: ({ fourEyes }) => (fourEyes ? 'pending_second_approval' : 'scheduled'),
    roles: ANYONE,
    lease: 'holder',
    then: 'drop',
    needsAccount: true,
  },
  // A supervisor confirms without claiming the appeal.
  {
    action: 'second_approve',
    from: 'pending_second_approval',
    to: 'scheduled',
    roles: SUPERVISORS,
    lease: 'none',
    then: 'keep',
    notTheApprover: true,
    needsAccount: true,
  },
  { action: 'reject', from: 'in_review', to: 'rejected', roles: ANYONE, lease: 'holder', then: 'drop' },
  { action: 'reject', from: 'awaiting_customer', to: 'rejected', roles: ANYONE, lease: 'holder', then: 'drop' },
  // The confirming supervisor may refuse instead of confirming.
  {
    action: 'reject',
    from: 'pending_second_approval',
    to: 'rejected',
    roles: SUPERVISORS,
    lease: 'none',
    then: 'drop',
    notTheApprover: true,
  },
  { action: 'reopen', from: 'objected', to: 'submitted', roles: SUPERVISORS, lease: 'none', then: 'drop' },
  // A recorded objection (by a contact that replaced another shortly before the filing): a supervisor stops the appeal or lets it go on.
  // The owner's recorded stop may come at any open status (from the alert at filing or the account's security page).
  ...OPEN_STATUSES.map(
    (from): AgentTransition => ({
      action: 'uphold_objection',
      from,
      to: 'objected',
      roles: SUPERVISORS,
      lease: 'none',
      then: 'drop',
      needsRecordedObjection: true,
    }),
  ),
  ...OPEN_STATUSES.map(
    (from): AgentTransition => ({
      action: 'dismiss_objection',
      from,
      to: 'same',
      roles: SUPERVISORS,
      lease: 'none',
      then: 'keep',
      needsRecordedObjection: true,
    }),
  ),
  // The agent working the appeal records what they found checking the owner facts.
  { action: 'check_facts', from: 'in_review', to: 'same', roles: ANYONE, lease: 'holder', then: 'grant' },
  { action: 'check_facts', from: 'awaiting_customer', to: 'same', roles: ANYONE, lease: 'holder', then: 'grant' },
  // A flood of junk appeals closed from the queue by a supervisor, whoever holds them.
  ...(['submitted', 'in_review', 'awaiting_customer'] as const).map(
    (from): AgentTransition => ({ action: 'reject_duplicate', from, to: 'rejected', roles: SUPERVISORS, lease: 'none', then: 'drop' }),
  ),
  // A supervisor gives appeals back to the queue from the queue, whoever holds them.
  { action: 'bulk_release', from: 'in_review', to: 'submitted', roles: SUPERVISORS, lease: 'take', then: 'drop' },
  // A supervisor (or the auto-assignment) hands an appeal to an agent: the ordinary lease, in the assignee's name.
  { action: 'assign', from: 'submitted', to: 'in_review', roles: SUPERVISORS, lease: 'take', then: 'grant' },
  { action: 'assign', from: 'in_review', to: 'same', roles: SUPERVISORS, lease: 'take', then: 'grant' },
];

export const PARTY_TRANSITIONS: readonly PartyTransition[] = [
  // The person answers on the status page; messages in other open states change no status.
  { action: 'reply', by: 'customer', from: ['awaiting_customer'], to: 'in_review' },
  {
    action: 'cancel',
    by: 'customer',
    from: ['submitted', 'in_review', 'awaiting_customer', 'pending_second_approval', 'scheduled'],
    to: 'cancelled',
  },
  // A contact on record objects with the link of `appeal-filed-alert` (any open status) or of `appeal-objection` (scheduled).
  { action: 'object', by: 'former_contact', from: OPEN_STATUSES, to: 'objected' },
  // The signed-in owner stops an appeal against the account (verification purpose `stop_appeal`).
  { action: 'stop', by: 'owner', from: OPEN_STATUSES, to: 'objected' },
  { action: 'expire', by: 'system', from: ['awaiting_customer'], to: 'expired' },
  { action: 'complete', by: 'system', from: ['scheduled'], to: 'completed' },
  // The change can no longer be applied as approved (its new logon email became another account's).
  { action: 'reject', by: 'system', from: ['scheduled'], to: 'rejected' },
];

/** The facts of an appeal the workflow decides on. */
export interface WorkflowAppeal {
  readonly status: AppealStatus;
  readonly version: number;
  readonly leaseAgentId: string | null;
  readonly leaseExpiresAt: Date | null;
  readonly approvedBy: string | null;
  readonly approvedAt?: Date | null;
  /** Set while a recorded objection holds the appeal. */
  readonly objectionRecordedAt?: Date | null;
  /** The account the appeal names, when it names exactly one. */
  readonly accountUid: string | null;
}

export interface WorkflowAgent {
  readonly id: string;
  readonly role: AgentRole;
  /** How the agent came by their role, for four eyes; unknown (undefined) only where no confirmation is decided. */
  readonly grant?: RoleGrant;
}

/** Who gave an agent their role and since when it is in effect. */
export interface RoleGrant {
  /** The agent who created (or promoted) them; null for the admin API or the CLI. */
  readonly by: string | null;
  /** The second admin who agreed to it, if one had to. */
  readonly approvedBy: string | null;
  readonly at: Date;
}

export interface AgentDecision {
  readonly action: AgentAction | BulkAction;
  readonly from: AppealStatus;
  readonly to: AppealStatus;
  readonly lease: LeaseEffect;
  /** The agent whose live lease a takeover ended, for the audit log. */
  readonly tookOverFrom?: string;
}

function leaseIsLive(appeal: WorkflowAppeal, now: Date): boolean {
  return appeal.leaseAgentId !== null && appeal.leaseExpiresAt !== null && appeal.leaseExpiresAt.getTime() > now.getTime();
}

/**
 * Whether `agent` may do `action` to `appeal` now, and what it leads to. Throws, in this order:
 * 409 STALE_VERSION (the agent saw another version), 403 TRANSITION_NOT_ALLOWED (not from this
 * status, or an approval of an appeal that names no single account), 403 FORBIDDEN (not with this role, or the approver confirming their own approval),
 * 409 LEASE_HELD (another agent's live lease) or 403 TRANSITION_NOT_ALLOWED (claim it first).
 */
export function decideAgentAction(
  appeal: WorkflowAppeal,
  agent: WorkflowAgent,
  action: AgentAction | BulkAction,
  expectedVersion: number,
  now: Date,
  options: WorkflowOptions,
): AgentDecision {
  if (appeal.version !== expectedVersion) throw new StaleVersionError(appeal.version);
  const candidates = AGENT_TRANSITIONS.filter((transition) => transition.action === action && transition.from === appeal.status);
  if (!candidates.length) throw new TransitionNotAllowedError(`An appeal that is ${appeal.status} cannot take "${action}".`);
  if (candidates.some((candidate) => candidate.needsAccount) && appeal.accountUid === null) {
    throw new TransitionNotAllowedError('This appeal names no single account: it can only be rejected.');
  }
  if (candidates.some((candidate) => candidate.needsRecordedObjection) && !appeal.objectionRecordedAt) {
    throw new TransitionNotAllowedError('No recorded objection waits for a decision on this appeal.');
  }
  const transition = candidates.find((candidate) => candidate.roles.includes(agent.role));
  if (!transition) throw new TransitionForbiddenError(`Your role (${agent.role}) may not ${action} an appeal that is ${appeal.status}.`);
  if (transition.notTheApprover && appeal.approvedBy !== null) {
    if (appeal.approvedBy === agent.id)
      throw new TransitionForbiddenError('Another supervisor must confirm: you approved this appeal yourself.');
    const why = secondEyesFault(agent.grant, appeal.approvedBy, appeal.approvedAt ?? null);
    if (why) throw new TransitionForbiddenError(why);
  }
  const holder = appeal.leaseAgentId;
  const live = leaseIsLive(appeal, now);
  switch (transition.lease) {
    case 'acquire':
      if (live && holder !== agent.id) throw new LeaseHeldError();
      break;
    case 'holder':
      // The holder keeps acting on a lapsed lease until someone else claims the appeal.
      if (holder !== agent.id) {
        if (live) throw new LeaseHeldError();
        throw new TransitionNotAllowedError('Claim the appeal before acting on it.');
      }
      break;
    case 'take':
    case 'none':
      break;
  }
  const to = transition.to === 'same' ? appeal.status : typeof transition.to === 'function' ? transition.to(options) : transition.to;
  return {
    action,
    from: appeal.status,
    to,
    lease: transition.then,
    ...(transition.lease === 'take' && live && holder !== agent.id && holder !== null ? { tookOverFrom: holder } : {}),
  };
}

/**
 * Why an agent cannot be the second pair of eyes on an approval, or undefined when they can:
 * the approver made them (created, promoted, or agreed to their role), or their role is younger
 * than the approval (one person could approve, then make a supervisor to confirm it). An agent
 * whose grant is unknown cannot confirm.
 */
function secondEyesFault(grant: RoleGrant | undefined, approvedBy: string, approvedAt: Date | null): string | undefined {
  if (!grant) return 'Your role could not be checked for four eyes.';
  if (grant.by === approvedBy || grant.approvedBy === approvedBy)
    return 'Another supervisor must confirm: the approver gave you your role.';
  if (approvedAt && grant.at.getTime() > approvedAt.getTime())
    return 'Another supervisor must confirm: your role was granted after this approval.';
  return undefined;
}

/** Exactly the actions `agent` could take on `appeal` now (the version they see being current). */
export function allowedAgentActions(appeal: WorkflowAppeal, agent: WorkflowAgent, now: Date, options: WorkflowOptions): AgentAction[] {
  return AGENT_ACTIONS.filter((action) => mayAct(appeal, agent, action, now, options));
}

/** Whether `agent` could take `action` on `appeal` now (the version they see being current). */
export function mayAct(
  appeal: WorkflowAppeal,
  agent: WorkflowAgent,
  action: AgentAction | BulkAction,
  now: Date,
  options: WorkflowOptions,
): boolean {
  try {
    decideAgentAction(appeal, agent, action, appeal.version, now, options);
    return true;
  } catch {
    return false;
  }
}

/**
 * The status `action` by `party` leads to. Closed appeals answer 409 APPEAL_CLOSED to the person
 * (docs/api.md); any other refusal is 403 TRANSITION_NOT_ALLOWED.
 */
export function decidePartyAction(appeal: Pick<WorkflowAppeal, 'status'>, party: Party, action: PartyAction): AppealStatus {
  const transition = PARTY_TRANSITIONS.find((candidate) => candidate.action === action && candidate.by === party);
  if (transition?.from.includes(appeal.status)) return transition.to;
  if (party === 'customer' && isClosed(appeal.status)) throw new AppealClosedError();
  throw new TransitionNotAllowedError(`An appeal that is ${appeal.status} cannot take "${action}".`);
}
