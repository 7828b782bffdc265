import { DomainError } from '../../common/errors/domain-error';
import { PROBLEMS } from '../../common/errors/problem-codes';
import { formErrors } from '../../common/http/form-errors';
import { ruleText } from '../../common/http/form-body';
import { hasText, translate } from '../../common/i18n/page-texts';
import { problemText } from '../../common/i18n/problem-text';
import type { Locale } from '../../common/locales';
import type { UploadRequest } from './appeal-page-upload.middleware';
import { AppealCredentials, AppealPortalService, AppealStatusView, AttachmentView } from './appeal-portal.service';
import { AppealStatus, isClosed } from './appeal-workflow';
import { ATTACHMENT_RULES } from './attachment-inspector';
import type { PageText } from '../../common/i18n/page-texts';

/** Each status's badge; its name and meaning are page texts (`appeal:status.<status>.label|explain`). */
const STATUS_BADGES: Record<AppealStatus, string> = {
  submitted: 'info',
  in_review: 'info',
  awaiting_customer: 'warning',
  pending_second_approval: 'info',
  scheduled: 'success',
  completed: 'success',
  rejected: 'danger',
  cancelled: 'danger',
  objected: 'danger',
  expired: 'danger',
};

/** The steps of an appeal as its timeline shows them; closed appeals end at their own status. */
const TIMELINE = ['submitted', 'in_review', 'decided', 'done'] as const;

function timelineStep(status: AppealStatus): number {
  switch (status) {
    case 'submitted':
      return 0;
    case 'in_review':
    case 'awaiting_customer':
      return 1;
    case 'pending_second_approval':
    case 'scheduled':
      return 2;
    default:
      return 3;
  }
}

/** The status page's view model: only what the API's status answer holds (and when to expect an answer), worded for the person. */
export function statusPageView(status: AppealStatusView, attachments: AttachmentView[], t: PageText, expectedAnswer?: Date) {
  const closed = isClosed(status.status);
  const changes = status.requestedChanges;
  const reached = timelineStep(status.status);
  return {
    reference: status.reference,
    status: status.status,
    statusLabel: t(`appeal:status.${status.status}.label`),
    statusExplain: t(`appeal:status.${status.status}.explain`),
    statusBadge: STATUS_BADGES[status.status],
    closed,
    awaitingAnswer: status.status === 'awaiting_customer',
    createdAt: status.createdAt,
    updatedAt: status.updatedAt,
    scheduledFor: status.scheduledFor,
    expectedAnswer,
    timeline: TIMELINE.map((step, index) => ({
      label: index === 3 && closed ? t(`appeal:status.${status.status}.label`) : t(`appeal:timeline.${step}`),
      done: index < reached || (index === reached && closed),
      current: index === reached,
      at: index === 0 ? status.createdAt : index === reached ? status.updatedAt : undefined,
    })),
    changes: [
      ...(changes.logonEmail ? [{ label: t('appeal:changes.logonEmail'), value: changes.logonEmail }] : []),
      ...(changes.securePhone ? [{ label: t('appeal:changes.securePhone'), value: changes.securePhone }] : []),
      ...(changes.resetPassword ? [{ label: t('appeal:changes.resetPassword'), value: t('appeal:changes.resetPasswordValue') }] : []),
      ...(changes.disableTotp ? [{ label: t('appeal:changes.disableTotp'), value: t('appeal:changes.yes') }] : []),
    ],
    messages: status.messages.map((message) => ({
      ...message,
      who: message.from === 'agent' ? t('appeal:messages.supportTeam') : t('appeal:messages.you'),
    })),
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
  t: PageText,
): Promise<UploadOutcome> {
  const megabytes = Math.round(ATTACHMENT_RULES.maxBytes / 1_048_576);
  if (request.uploadTooLarge) return { ok: false, status: 413, message: t('appeal:files.tooLarge', { megabytes }) };
  if (!request.file) return { ok: false, status: 400, message: t('appeal:files.choose') };
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
      UNSUPPORTED_MEDIA_TYPE: t('appeal:files.unsupported'),
      PAYLOAD_TOO_LARGE: t('appeal:files.tooLarge', { megabytes }),
      ATTACHMENT_LIMIT: t('appeal:files.limit', { files: ATTACHMENT_RULES.maxFiles }),
      APPEAL_CLOSED: t('problems:APPEAL_CLOSED'),
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
  locale: Locale = 'en',
): { code: string; status: number; detail: string; errors: Record<string, string>; retryAfter?: number } | undefined {
  if (!(error instanceof DomainError)) return undefined;
  const errors = formErrors(error);
  const status = PROBLEMS[error.code].status;
  if (status >= 500) return undefined;
  const detail = problemText(locale, error);
  return {
    code: error.code,
    status,
    detail,
    errors: errors ? personWorded(byFieldId(errors), locale) : { [fieldId(field)]: detail },
    retryAfter: error.retryAfterSeconds,
  };
}

/**
 * The form's own wording of a refused field (`appeal:errors.<field>`), in place of the API's
 * validation message ("must name the account by its UID..."), which is written for developers;
 * a limit ("must be shorter than or equal to 200 characters") in the shared `forms:` words.
 */
function personWorded(errors: Record<string, string>, locale: Locale): Record<string, string> {
  return Object.fromEntries(
    Object.entries(errors).map(([field, message]) => {
      if (message.startsWith('appeal:')) return [field, translate(locale, message)];
      const key = `appeal:errors.${field}`;
      // A length or size limit keeps its number, in the page's words and language.
      return [field, hasText(key) ? translate(locale, key) : (ruleText(locale, message) ?? message)];
    }),
  );
}

/** Field names are dotted paths (`evidence.fullName`); the views key errors by `evidence-fullName`, a name Handlebars can read. */
export function fieldId(field: string): string {
  return field.replace(/\./g, '-');
}

function byFieldId(errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([field, message]) => [fieldId(field), message]));
}
