import { FieldError, ValidationFailedError } from '../errors/domain-error';

/** Messages by field name for a form to show beside its inputs (the first message of each field); undefined for any other error. */
export function formErrors(error: unknown): Record<string, string> | undefined {
  return error instanceof ValidationFailedError ? byField(error.errors) : undefined;
}

/** Messages by field name (the first of each field), for a view's `errors`. */
export function byField(errors: readonly FieldError[]): Record<string, string> {
  const byName: Record<string, string> = {};
  for (const { field, message } of errors) byName[field] ??= message;
  return byName;
}
