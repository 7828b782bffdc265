import type { Response } from 'express';
import { DomainError } from '../../common/errors/domain-error';
import { PROBLEMS, ProblemCode } from '../../common/errors/problem-codes';
import { formErrors } from '../../common/http/form-errors';
import { localeOf } from '../../common/i18n/page-locale';
import { problemText } from '../../common/i18n/problem-text';
import { PasswordPolicyError } from '../accounts/password-policy.error';

/** A refused form: the status to answer with, and each message beside the field it concerns. */
export interface FormFailure {
  readonly status: number;
  readonly errors: Record<string, string>;
  readonly retryAfterSeconds?: number;
  /** The refusal behind a field's message, worded again in the page's language when it is rendered. */
  readonly problem?: { readonly field: string; readonly error: DomainError };
}

/** Which field of a form each problem code belongs beside; codes not listed are not the form's to show. */
export type FieldsByCode = Partial<Record<ProblemCode, string>>;

/**
 * What a form shows for `error`: validation messages by field, or the detail of a listed problem
 * code beside its field, with the problem's own status (400 wrong code, 410 expired, 423 locked,
 * 429 with Retry-After...). Undefined for anything else, which the caller rethrows to the error page.
 */
export function formFailure(error: unknown, fields: FieldsByCode): FormFailure | undefined {
  const validation = formErrors(error);
  if (validation) return { status: 400, errors: validation };
  if (!(error instanceof DomainError)) return undefined;
  const field = fields[error.code];
  if (!field) return undefined;
  const detail = error instanceof PasswordPolicyError ? error.violations.map((violation) => violation.message).join(' ') : error.detail;
  return {
    status: PROBLEMS[error.code].status,
    errors: { [field]: detail },
    retryAfterSeconds: error.retryAfterSeconds,
    problem: { field, error },
  };
}

/** Renders `view` again with the failure's status (and Retry-After). */
export function renderFailure(response: Response, view: string, model: object, failure: FormFailure): void {
  if (failure.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(Math.max(1, Math.ceil(failure.retryAfterSeconds))));
  const errors = failure.problem
    ? { ...failure.errors, [failure.problem.field]: problemText(localeOf(response), failure.problem.error) }
    : failure.errors;
  response.status(failure.status).render(view, { ...model, errors });
}

/** The code errors every form with a `code` field shows beside it. */
export const CODE_ERRORS: FieldsByCode = {
  VERIFICATION_CODE_INVALID: 'code',
  VERIFICATION_EXPIRED: 'code',
  VERIFICATION_LOCKED: 'code',
  VERIFICATION_USED: 'code',
  RESEND_TOO_SOON: 'code',
  RATE_LIMITED: 'code',
  METHOD_UNAVAILABLE: 'code',
};
