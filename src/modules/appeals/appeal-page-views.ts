import { DomainError } from '../../common/errors/domain-error';
import { PROBLEMS } from '../../common/errors/problem-codes';
import { formErrors } from '../../common/http/form-errors';
import type { UploadRequest } from './appeal-page-upload.middleware';
import { AppealCredentials, AppealPortalService, AppealStatusView, AttachmentView } from './appeal-portal.service';
import { AppealStatus, isClosed } from './appeal-workflow';
import { ATTACHMENT_RULES } from './attachment-inspector';
import { CHANGE_LABELS } from './requested-changes';

/** What each status means to the person, in their words (the status page shows the real status). */
const STATUS_TEXT: Record<AppealStatus, { label: string; explain: string; badge: string }> = {
  submitted: { label: 'Submitted', explain: 'Your appeal is waiting for a support agent to pick it up.', badge: 'info' },
  in_review: { label: 'In review', explain: 'A support agent is reviewing your appeal and its evidence.', badge: 'info' },
  awaiting_customer: {
    label: 'Waiting for your answer',
    explain: 'We asked you for more information: answer below. Without an answer the appeal closes after 14 days.',
    badge: 'warning',
  },
  pending_second_approval: {
    label: 'Approved, awaiting confirmation',
    explain: 'An agent approved your appeal; a supervisor must confirm it.',
    badge: 'info',
  },
  scheduled: {
    label: 'Scheduled',
    explain: 'Your appeal is approved. The change is applied at the time below unless a former contact of the account objects.',
    badge: 'success',
  },
  completed: { label: 'Completed', explain: 'The changes were applied. Check your contact email for what to do next.', badge: 'success' },
  rejected: {
    label: 'Rejected',
    explain: 'We could not confirm that the account is yours. The reason was sent to your contact email.',
    badge: 'danger',
  },
  cancelled: { label: 'Cancelled', explain: 'You cancelled this appeal.', badge: 'danger' },
  objected: {
    label: 'Stopped by an objection',
    explain: 'A former contact of the account objected before the change was applied, so nothing was changed.',
    badge: 'danger',
  },
  expired: { label: 'Expired', explain: 'We asked for more information and had no answer in time.', badge: 'danger' },
};

/** The status page's view model: only what the API's status answer holds, worded for the person. */
export function statusPageView(status: AppealStatusView, attachments: AttachmentView[]) {
  const closed = isClosed(status.status);
  const text = STATUS_TEXT[status.status];
  const changes = status.requestedChanges;
  return {
    reference: status.reference,
    status: status.status,
    statusLabel: text.label,
    statusExplain: text.explain,
    statusBadge: text.badge,
    closed,
    awaitingAnswer: status.status === 'awaiting_customer',
    createdAt: status.createdAt,
    updatedAt: status.updatedAt,
    scheduledFor: status.scheduledFor,
    changes: [
      ...(changes.logonEmail ? [{ label: CHANGE_LABELS.logonEmail, value: changes.logonEmail }] : []),
      ...(changes.securePhone ? [{ label: CHANGE_LABELS.securePhone, value: changes.securePhone }] : []),
      ...(changes.resetPassword
        ? [{ label: CHANGE_LABELS.resetPassword, value: 'A reset link goes to your contact email when the appeal completes' }]
        : []),
      ...(changes.disableTotp ? [{ label: CHANGE_LABELS.disableTotp, value: 'Yes' }] : []),
    ],
    messages: status.messages.map((message) => ({ ...message, who: message.from === 'agent' ? 'Support team' : 'You' })),
    ...attachmentsView(attachments),
  };
}

export function attachmentsView(attachments: AttachmentView[]) {
  return {
    attachments: attachments.map((attachment) => ({ ...attachment, sizeLabel: sizeLabel(attachment.size) })),
    canUpload: attachments.length < ATTACHMENT_RULES.maxFiles,
    maxFiles: ATTACHMENT_RULES.maxFiles,
    maxMegabytes: Math.round(ATTACHMENT_RULES.maxBytes / 1_048_576),
  };
}

function sizeLabel(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1_048_576) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

export type UploadOutcome = { ok: true; filename: string } | { ok: false; status: number; message: string; closed?: boolean };

/** Adds the file the upload middleware parsed; a refusal the page can show beside the field (413, 415, 409, 400). */
export async function uploadAttachment(
  portal: AppealPortalService,
  credentials: AppealCredentials,
  request: UploadRequest,
): Promise<UploadOutcome> {
  const maxMegabytes = Math.round(ATTACHMENT_RULES.maxBytes / 1_048_576);
  if (request.uploadTooLarge)
    return { ok: false, status: 413, message: `The file is larger than ${maxMegabytes} MB. Send a smaller scan or photo.` };
  if (!request.file) return { ok: false, status: 400, message: 'Choose a file (JPEG, PNG or PDF).' };
  try {
    const added = await portal.attach(
      credentials,
      { originalName: request.file.originalname, content: request.file.buffer },
      { ip: request.ip },
    );
    return { ok: true, filename: added.filename };
  } catch (error) {
    if (!(error instanceof DomainError) || error.code === 'NOT_FOUND') throw error;
    const messages: Record<string, string> = {
      UNSUPPORTED_MEDIA_TYPE: 'This file is not a JPEG, PNG or PDF. Only those are accepted (judged by their content, not their name).',
      PAYLOAD_TOO_LARGE: `The file is larger than ${maxMegabytes} MB. Send a smaller scan or photo.`,
      ATTACHMENT_LIMIT: `This appeal already has ${ATTACHMENT_RULES.maxFiles} files, the most it can hold.`,
    };
    return {
      ok: false,
      status: PROBLEMS[error.code].status,
      message: messages[error.code] ?? error.detail,
      closed: error.code === 'APPEAL_CLOSED',
    };
  }
}

/** A refusal the page shows beside a field (its status kept); undefined for anything else. */
export function asFieldProblem(
  error: unknown,
  field: string,
): { code: string; status: number; detail: string; errors: Record<string, string>; retryAfter?: number } | undefined {
  if (!(error instanceof DomainError)) return undefined;
  const errors = formErrors(error);
  const status = PROBLEMS[error.code].status;
  if (status >= 500) return undefined;
  return {
    code: error.code,
    status,
    detail: error.detail,
    errors: errors ? byFieldId(errors) : { [fieldId(field)]: error.detail },
    retryAfter: error.retryAfterSeconds,
  };
}

/** Field names are dotted paths (`evidence.fullName`); the views key errors by `evidence-fullName`, a name Handlebars can read. */
export function fieldId(field: string): string {
  return field.replace(/\./g, '-');
}

function byFieldId(errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([field, message]) => [fieldId(field), message]));
}
