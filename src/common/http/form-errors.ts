import { ValidationFailedError } from '../errors/domain-error';

/** Messages by field name for a form to show beside its inputs (the first message of each field); undefined for any other error. */
export function formErrors(error: unknown): Record<string, string> | undefined {
  if (!(error instanceof ValidationFailedError)) return undefined;
  const errors: Record<string, string> = {};
  for (const { field, message } of error.errors) errors[field] ??= message;
  return errors;
}
