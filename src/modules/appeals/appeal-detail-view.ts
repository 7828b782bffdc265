import { formatDateTime, formatDuration } from '../../common/views/formats';
import { auditDetails } from '../audit/audit-details';
import type { AgentRef } from './appeal-queue.service';
import type { AgentAction, AppealStatus, BulkAction } from './appeal-workflow';
import type { AttachmentContentType } from './entities/appeal-attachment.entity';
import type { AccountMatch, AppealEvidence } from './entities/appeal.entity';
import type { ChecklistItem, FactVerdict, OwnerFact } from './evidence-checklist';
import { RISK_LABELS, RiskSignal } from './risk/risk-signals';

/**
 * An appeal as its back-office page shows it: AppealDetailService reads the appeal into an
 * AppealDetailView (masked contacts, the account, checklist, files, thread, history and exactly
 * the actions the agent may take), and appealDetailPage shapes that for the page's template,
 * every action a form of its own. The page controller passes the result as it is.
 */

export interface AppealDetailView {
  readonly reference: string;
  readonly status: AppealStatus;
  /** Every action form carries it back. */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly locale: string;
  readonly maskedContactEmail: string;
  readonly accountMatch: AccountMatch;
  readonly claimed: { readonly uid: string | null; readonly maskedLogonEmail: string | null; readonly maskedSecurePhone: string | null };
  readonly requestedChanges: {
    readonly maskedLogonEmail?: string;
    readonly maskedSecurePhone?: string;
    readonly resetPassword: boolean;
    readonly disableTotp: boolean;
  };
  /** The account's state now, contacts masked; null when the appeal names no single account. */
  readonly account: {
    readonly uid: string;
    readonly maskedLogonEmail: string;
    readonly maskedSecurePhone: string | null;
    readonly totpEnabled: boolean;
    readonly status: string;
    readonly createdAt: Date;
    readonly formerContacts: { readonly kind: string; readonly masked: string; readonly replacedAt: Date }[];
  } | null;
  readonly evidence: AppealEvidence;
  readonly checklist: {
    readonly items: ChecklistItem[];
    readonly score: number;
    readonly threshold: number;
    readonly rationaleRequired: boolean;
  };
  readonly attachments: {
    readonly id: string;
    readonly filename: string;
    readonly contentType: AttachmentContentType;
    readonly size: number;
    readonly sha256: string;
    readonly createdAt: Date;
    readonly purged: boolean;
    /** Thumbnails were made at upload and not purged: the page shows the blurred one. */
    readonly preview: boolean;
  }[];
  /** The evidence signals the appeal carries, in their fixed order, each with its reason and the other appeals it links. */
  readonly riskSignals: { readonly signal: RiskSignal; readonly reason: string; readonly appeals: string[] }[];
  /** What the person sees, with the agents' names (the person never sees them). */
  readonly thread: {
    readonly from: 'customer' | 'agent';
    readonly agent: AgentRef | null;
    readonly body: string;
    readonly createdAt: Date;
  }[];
  readonly notes: { readonly agent: AgentRef | null; readonly body: string; readonly createdAt: Date }[];
  /** From the audit log, newest first. */
  readonly history: {
    readonly seq: string;
    readonly at: Date;
    readonly action: string;
    readonly actor: { readonly type: string; readonly id: string | null; readonly name?: string };
    readonly data: Record<string, unknown>;
  }[];
  readonly lease: { readonly agent: AgentRef | null; readonly expiresAt: Date; readonly live: boolean } | null;
  readonly approval: {
    readonly approvedBy: AgentRef | null;
    readonly approvedAt: Date | null;
    readonly rationale: string | null;
    readonly evidenceScore: number | null;
    readonly confirmedBy: AgentRef | null;
    readonly confirmedAt: Date | null;
  } | null;
  readonly scheduledFor: Date | null;
  /** The owner facts the person gave, as agents found them, and whether this agent may record a check now. */
  readonly factChecks: { readonly allowed: boolean; readonly given: { readonly fact: OwnerFact; readonly verdict: FactVerdict }[] };
  /** When an objection was recorded that holds the appeal until a supervisor decides. */
  readonly objectionRecordedAt: Date | null;
  readonly rejectionReason: string | null;
  readonly sla: {
    readonly firstResponseDueAt: Date | null;
    readonly firstResponseAt: Date | null;
    readonly firstResponseBreachedAt: Date | null;
    readonly resolutionDueAt: Date | null;
    readonly resolutionBreachedAt: Date | null;
    readonly breached: boolean;
  };
  readonly evidencePurgedAt: Date | null;
  /** Exactly the actions this agent may take now, in the workflow's order. */
  readonly actions: AgentAction[];
}

/** An appeal's next deadline counts as "due soon" this long before it. */
export const DUE_SOON_MS = 4 * 3_600_000;

type Tone = 'info' | 'success' | 'warning' | 'danger' | 'neutral';

export const STATUS_LABELS: Record<AppealStatus, string> = {
  submitted: 'Submitted',
  in_review: 'In review',
  awaiting_customer: 'Awaiting customer',
  pending_second_approval: 'Pending second approval',
  scheduled: 'Scheduled',
  completed: 'Completed',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
  objected: 'Objected',
  expired: 'Expired',
};

const STATUS_TONES: Record<AppealStatus, Tone> = {
  submitted: 'info',
  in_review: 'info',
  awaiting_customer: 'warning',
  pending_second_approval: 'warning',
  scheduled: 'success',
  completed: 'success',
  rejected: 'danger',
  cancelled: 'neutral',
  objected: 'danger',
  expired: 'neutral',
};

export interface ActionField {
  readonly name: 'body' | 'message' | 'rationale' | 'reason';
  readonly label: string;
  /** How an error message names the field: "The note must not be empty." */
  readonly noun: string;
  readonly hint: string;
  readonly required: boolean;
  readonly maxLength: number;
}

export interface ActionSpec {
  /** The last segment of `POST /agent/appeals/:reference/<path>` (docs/api.md). */
  readonly path: string;
  /** The button's text: the action's name as docs/api.md gives it. */
  readonly label: string;
  readonly style: 'primary' | 'secondary' | 'danger';
  readonly hint: string;
  readonly fields: readonly ActionField[];
}

const TEXT_MAX = 5000;

/** The owner facts as the checklist's form names them. */
const OWNER_FACT_LABELS: Record<OwnerFact, string> = {
  idDocument: 'Identity document',
  lastPayment: 'Last payment',
  resourceIds: 'Resource IDs',
  usualRegion: 'Usual region',
};

/** The checklist's facts in words (the checklist names them as the API does: `evidence.fullName`). */
const FACT_LABELS: Record<string, string> = {
  'account.uid': 'UID',
  'account.logonEmail': 'Logon email',
  'account.securePhone': 'Secure phone',
  'evidence.fullName': 'Full name',
  contactEmail: 'Contact email',
  ...Object.fromEntries(Object.entries(OWNER_FACT_LABELS).map(([fact, label]) => [`evidence.${fact}`, label])),
};

/** A checklist fact as the page names it; an unknown one keeps its API name. */
export function factLabel(fact: string): string {
  return FACT_LABELS[fact] ?? fact;
}

/** Every agent action as the detail page offers it. Hints say what the button does before it is pressed. */
export const ACTION_SPECS: Record<AgentAction, ActionSpec> = {
  claim: {
    path: 'claim',
    label: 'Claim',
    style: 'primary',
    hint: 'Takes the appeal for you alone; claiming again renews your lease.',
    fields: [],
  },
  release: { path: 'release', label: 'Release', style: 'secondary', hint: 'Gives the appeal back to the queue.', fields: [] },
  takeover: {
    path: 'takeover',
    label: 'Take over',
    style: 'secondary',
    hint: 'Takes the lease from the agent holding it; recorded in the history.',
    fields: [],
  },
  note: {
    path: 'notes',
    label: 'Add note',
    style: 'secondary',
    hint: '',
    fields: [
      {
        name: 'body',
        label: 'Internal note',
        noun: 'The note',
        hint: 'Seen by agents only, never by the person.',
        required: true,
        maxLength: TEXT_MAX,
      },
    ],
  },
  request_info: {
    path: 'request-info',
    label: 'Request information',
    style: 'secondary',
    hint: '',
    fields: [
      {
        name: 'message',
        label: 'Question to the person',
        noun: 'The question',
        hint: 'Emailed to the contact address; the SLA clock pauses until they answer.',
        required: true,
        maxLength: TEXT_MAX,
      },
    ],
  },
  approve: {
    path: 'approve',
    label: 'Approve',
    style: 'primary',
    hint: '',
    fields: [{ name: 'rationale', label: 'Rationale', noun: 'The rationale', hint: '', required: false, maxLength: TEXT_MAX }],
  },
  second_approve: {
    path: 'second-approve',
    label: 'Confirm approval',
    style: 'primary',
    hint: 'Starts the cooling-off: the contacts on record are told and may object before the change is applied.',
    fields: [
      {
        name: 'rationale',
        label: 'Note on the confirmation (optional)',
        noun: 'The note',
        hint: 'Kept in the history.',
        required: false,
        maxLength: TEXT_MAX,
      },
    ],
  },
  reject: {
    path: 'reject',
    label: 'Reject',
    style: 'danger',
    hint: '',
    fields: [
      {
        name: 'reason',
        label: 'Internal reason',
        noun: 'The reason',
        hint: 'For the record; the person does not see it.',
        required: true,
        maxLength: TEXT_MAX,
      },
      {
        name: 'message',
        label: 'Message to the person',
        noun: 'The message',
        hint: 'Emailed to the contact address with the decision.',
        required: true,
        maxLength: TEXT_MAX,
      },
    ],
  },
  reopen: {
    path: 'reopen',
    label: 'Reopen',
    style: 'secondary',
    hint: 'Sends the objected appeal back to the queue as submitted.',
    fields: [],
  },
  uphold_objection: {
    path: 'uphold-objection',
    label: 'Uphold objection',
    style: 'danger',
    hint: 'Stops the appeal (objected): nothing changes on the account and the person is told.',
    fields: [],
  },
  dismiss_objection: {
    path: 'dismiss-objection',
    label: 'Dismiss objection',
    style: 'secondary',
    hint: 'Lets the appeal go on: the change is applied at its scheduled time, at once if that has passed.',
    fields: [],
  },
};

export function appealHref(reference: string): string {
  return `/agent/appeals/${encodeURIComponent(reference)}`;
}

export interface SlaBadge {
  readonly label: string;
  readonly tone: Tone;
  readonly detail: string;
}

/**
 * Breached: flagged by the SLA job, or past a deadline the job has not reached yet. Due soon:
 * the next deadline within DUE_SOON_MS. Otherwise the next deadline, or nothing once none runs.
 */
export function slaBadge(
  sla: { readonly breached: boolean; readonly firstResponseDueAt: Date | null; readonly resolutionDueAt: Date | null },
  now: Date,
): SlaBadge | null {
  const deadlines = [
    ...(sla.firstResponseDueAt ? [{ what: 'first response', at: sla.firstResponseDueAt }] : []),
    ...(sla.resolutionDueAt ? [{ what: 'resolution', at: sla.resolutionDueAt }] : []),
  ].sort((a, b) => a.at.getTime() - b.at.getTime());
  const next = deadlines[0];
  const overdue = deadlines.find((deadline) => deadline.at.getTime() <= now.getTime());
  if (sla.breached || overdue)
    return {
      label: 'SLA breached',
      tone: 'danger',
      detail: overdue ? `${overdue.what} was due ${formatDateTime(overdue.at)}` : 'past a deadline',
    };
  if (!next) return null;
  const left = next.at.getTime() - now.getTime();
  if (left <= DUE_SOON_MS)
    return { label: 'Due soon', tone: 'warning', detail: `${next.what} due ${formatDateTime(next.at)} (in ${formatDuration(left)})` };
  return { label: '', tone: 'neutral', detail: `${next.what} due ${formatDateTime(next.at)}` };
}

export function matchFlag(match: AccountMatch): { label: string; tone: Tone; detail: string } | null {
  if (match === 'unmatched') return { label: 'Unmatched', tone: 'warning', detail: 'The identifiers given match no account.' };
  if (match === 'ambiguous')
    return { label: 'Ambiguous', tone: 'warning', detail: 'The identifiers given point to more than one account.' };
  return null;
}

export function statusBadge(status: AppealStatus): { value: AppealStatus; label: string; tone: Tone } {
  return { value: status, label: STATUS_LABELS[status], tone: STATUS_TONES[status] };
}

/** Messages by action, then by field, for the forms of the detail page; and what the agent had typed. */
export interface ActionFeedback {
  readonly action: AgentAction | BulkAction;
  readonly errors: Record<string, string>;
  readonly values: Record<string, string>;
}

export interface Revealed {
  readonly contactEmail: string;
  readonly claimedEmail: string | null;
  readonly claimedPhone: string | null;
  readonly newLogonEmail: string | null;
  readonly newSecurePhone: string | null;
}

/** The clear thumbnail an agent asked to see, on the response to their "Show" only. */
export interface ShownPreview {
  readonly id: string;
  readonly clear: Buffer;
}

/** Canned replies in the appeal's language, and the one the agent chose to insert (`?reply=<id>&for=<action>`). */
export interface OfferedReplies {
  readonly offered: readonly { id: string; title: string; text: string }[];
  readonly chosen?: { readonly action: string; readonly id: string };
}

/** The forms that offer canned replies, by the field a reply fills. */
const REPLY_FIELD: Partial<Record<AgentAction, string>> = { request_info: 'message', reject: 'message' };

/** The detail page's view model: the service's view, shaped for the template, with exactly its actions as forms. */
export function appealDetailPage(
  detail: AppealDetailView,
  now: Date,
  extra: { feedback?: ActionFeedback; revealed?: Revealed; shown?: ShownPreview; replies?: OfferedReplies } = {},
) {
  const { checklist } = detail;
  const feedback = extra.feedback;
  const lease = detail.lease;
  return {
    title: `Appeal ${detail.reference}`,
    reference: detail.reference,
    href: appealHref(detail.reference),
    version: detail.version,
    status: statusBadge(detail.status),
    flag: matchFlag(detail.accountMatch),
    createdAt: detail.createdAt,
    updatedAt: detail.updatedAt,
    locale: detail.locale,
    contact: detail.maskedContactEmail,
    revealed: extra.revealed ?? null,
    claimed: detail.claimed,
    requested: {
      ...detail.requestedChanges,
      any: Boolean(
        detail.requestedChanges.maskedLogonEmail ||
          detail.requestedChanges.maskedSecurePhone ||
          detail.requestedChanges.resetPassword ||
          detail.requestedChanges.disableTotp,
      ),
    },
    account: detail.account,
    evidence: {
      ...detail.evidence,
      resourceIds: detail.evidence.resourceIds?.join(', ') ?? null,
    },
    checklist: {
      score: checklist.score,
      threshold: checklist.threshold,
      rationaleRequired: checklist.rationaleRequired,
      scoreTone: checklist.rationaleRequired ? 'warning' : 'success',
      items: checklist.items.map((item) => ({
        ...item,
        label: factLabel(item.fact),
        tone: item.verdict === 'match' ? 'success' : item.verdict === 'mismatch' ? 'danger' : 'neutral',
      })),
    },
    factChecks: detail.factChecks.allowed
      ? {
          path: `${appealHref(detail.reference)}/facts`,
          // Folded like the action forms; open when its check came back refused.
          open: feedback?.action === 'check_facts',
          facts: detail.factChecks.given.map(({ fact, verdict }) => ({
            name: fact,
            label: OWNER_FACT_LABELS[fact],
            options: (['unknown', 'match', 'mismatch'] as const).map((value) => ({
              value,
              label: value === 'unknown' ? 'Not checked' : value === 'match' ? 'Matches' : 'Does not match',
              selected: value === verdict,
            })),
          })),
        }
      : null,
    attachments: detail.attachments.map((file) => ({
      ...file,
      href: `${appealHref(detail.reference)}/attachments/${file.id}`,
      sizeText: formatBytes(file.size),
    })),
    previews: detail.attachments
      .filter((file) => file.preview)
      .map((file) => {
        const href = `${appealHref(detail.reference)}/attachments/${file.id}`;
        const shown = extra.shown?.id === file.id;
        return {
          id: file.id,
          filename: file.filename,
          blurredSrc: `${href}/preview`,
          showAction: `${href}/show`,
          shown,
          // Inline on this response only: the clear thumbnail has no address to reload or share.
          clearSrc: shown ? `data:image/jpeg;base64,${extra.shown!.clear.toString('base64')}` : null,
        };
      }),
    risks: detail.riskSignals.map((finding) => ({
      signal: finding.signal,
      label: RISK_LABELS[finding.signal],
      reason: finding.reason,
      appeals: finding.appeals.map((reference) => ({ reference, href: appealHref(reference) })),
    })),
    thread: detail.thread.map((message) => ({
      ...message,
      who: message.from === 'customer' ? 'The person' : (message.agent?.name ?? 'An agent'),
    })),
    notes: detail.notes.map((note) => ({ ...note, who: note.agent?.name ?? 'An agent' })),
    history: detail.history.map((event) => ({
      seq: event.seq,
      at: event.at,
      action: event.action,
      actor: event.actor.type === 'agent' ? (event.actor.name ?? 'agent') : event.actor.type,
      details: auditDetails(event.data),
    })),
    lease: lease
      ? {
          holder: lease.agent?.name ?? 'an agent',
          expiresAt: lease.expiresAt,
          live: lease.live,
          text: lease.live
            ? `until ${formatDateTime(lease.expiresAt)} (${formatDuration(lease.expiresAt.getTime() - now.getTime())} left)`
            : `lapsed ${formatDateTime(lease.expiresAt)}`,
        }
      : null,
    sla: {
      ...detail.sla,
      badge: slaBadge(detail.sla, now),
      paused: detail.status === 'awaiting_customer',
    },
    scheduledFor: detail.scheduledFor,
    coolingOff: detail.status === 'scheduled' && detail.scheduledFor !== null,
    objectionRecordedAt: detail.objectionRecordedAt,
    ownerStop: ownerStopOf(detail),
    approval: detail.approval,
    rejectionReason: detail.rejectionReason,
    evidencePurgedAt: detail.evidencePurgedAt,
    actions: detail.actions.map((action) =>
      actionForm(detail, action, feedback?.action === action ? feedback : undefined, extra.replies, feedback !== undefined),
    ),
  };
}

const VERIFICATION_METHOD_LABELS: Readonly<Record<string, string>> = {
  sms: 'a code sent to the secure phone',
  email: 'a code sent to the logon email',
  totp: 'a code from the authenticator app',
  passkey: 'a passkey',
};

/**
 * The account owner's latest stop of this appeal from their security settings (signed in, identity
 * verified), from the history: stopped at once, or recorded for a supervisor because the account's
 * logon email, secure phone or password changed shortly before the filing.
 */
function ownerStopOf(detail: AppealDetailView) {
  const event = detail.history.find((entry) => entry.action === 'appeal.stopped_by_owner' || entry.action === 'appeal.owner_stop_recorded');
  if (!event) return null;
  const method = typeof event.data.method === 'string' ? event.data.method : null;
  return {
    at: event.at,
    recorded: event.action === 'appeal.owner_stop_recorded',
    method: method ?? 'unknown',
    methodLabel: method ? (VERIFICATION_METHOD_LABELS[method] ?? method) : 'an unrecorded method',
  };
}

/** `refused`: a form of the page came back refused (this one when `feedback` is given), which then is the only one open. */
function actionForm(
  detail: AppealDetailView,
  action: AgentAction,
  feedback: ActionFeedback | undefined,
  replies: OfferedReplies | undefined,
  refused: boolean,
) {
  const spec = ACTION_SPECS[action];
  const replyField = REPLY_FIELD[action];
  const chosen =
    replyField && replies?.chosen?.action === action ? replies.offered.find((reply) => reply.id === replies.chosen!.id) : undefined;
  const { score, threshold } = detail.checklist;
  const risky = detail.riskSignals.length > 0;
  const rationaleRequired = detail.checklist.rationaleRequired || risky;
  const fields = spec.fields.map((field) => {
    const approval = action === 'approve' && field.name === 'rationale';
    const required = approval ? rationaleRequired : field.required;
    const id = `${spec.path}-${field.name}`;
    return {
      ...field,
      id,
      required,
      label: approval ? (rationaleRequired ? 'Rationale (required)' : 'Rationale (optional)') : field.label,
      hint: approval
        ? detail.checklist.rationaleRequired
          ? `The evidence score ${score} is below the threshold of ${threshold}: say why you approve.`
          : risky
            ? `The appeal carries ${detail.riskSignals.length === 1 ? 'a risk signal' : 'risk signals'} (${detail.riskSignals.map((finding) => RISK_LABELS[finding.signal].toLowerCase()).join(', ')}): say why you approve.`
            : `The evidence score ${score} meets the threshold of ${threshold}.`
        : field.hint,
      value: feedback?.values[field.name] ?? (chosen && field.name === replyField ? chosen.text : ''),
      error: fieldMessage(field.noun, feedback?.errors[field.name]),
    };
  });
  const offered = replyField && replies?.offered.length ? replies.offered : [];
  // A form with fields is folded under its name; it comes open when a validation error came back
  // for it, or (no error at all) when a canned reply was chosen to fill it: never more than one.
  const folded = fields.length > 0;
  const reasons = [
    ...(detail.checklist.rationaleRequired ? [`the evidence score ${score} is below the threshold of ${threshold}`] : []),
    ...(risky
      ? [
          `it carries ${detail.riskSignals.length === 1 ? 'a risk signal' : 'risk signals'} (${detail.riskSignals.map((finding) => RISK_LABELS[finding.signal].toLowerCase()).join(', ')})`,
        ]
      : []),
  ];
  return {
    action,
    path: spec.path,
    folded,
    open: folded && (refused ? feedback !== undefined : Boolean(chosen)),
    /** Said before the agent submits: what the approval needs on this appeal. */
    notice:
      action === 'approve' && rationaleRequired
        ? `This appeal cannot be approved without a rationale: ${reasons.join(', and ')}. Write why you approve it before you press Approve.`
        : null,
    label: spec.label,
    style: spec.style,
    hint: spec.hint,
    formAction: `${appealHref(detail.reference)}/${spec.path}`,
    version: detail.version,
    fields,
    inline: fields.length === 0,
    /** Canned replies this form offers: a link that fills the field (the script fills it in place). */
    replies: offered.map((reply) => ({
      title: reply.title,
      text: reply.text,
      field: `${spec.path}-${replyField}`,
      href: `${appealHref(detail.reference)}?reply=${reply.id}&for=${action}#${spec.path}-${replyField}`,
    })),
    repliesLocale: detail.locale,
    /** An error that belongs to no field of this form (the version, say). */
    error: feedback
      ? (Object.entries(feedback.errors).find(([name]) => !spec.fields.some((field) => field.name === name))?.[1] ?? null)
      : null,
  };
}

/** Services word field errors after the field ("must not be empty"); the page names the field first. */
function fieldMessage(noun: string, message: string | undefined): string | null {
  if (!message) return null;
  const sentence = /^[a-z]/.test(message) ? `${noun} ${message}` : message;
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / (1024 * 1024)).toFixed(1)} MB`;
}

export type AppealDetailPage = ReturnType<typeof appealDetailPage>;
