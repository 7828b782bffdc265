import { ProblemCode } from './problem-codes';

/**
 * A failure the caller can act on, with a stable code. Services and workers throw these;
 * only the problem-details filter knows about HTTP.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    /** Extra members of the problem document, at its top level (e.g. `attemptsRemaining`). */
    readonly extras: Readonly<Record<string, unknown>> = {},
    /** Sent as `Retry-After` (seconds) with 429 and 423 answers. */
    readonly retryAfterSeconds?: number,
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

export interface FieldError {
  /** Dotted path of the offending input, such as `evidence.fullName`. */
  readonly field: string;
  readonly message: string;
}

export class ValidationFailedError extends DomainError {
  constructor(readonly errors: readonly FieldError[]) {
    super('VALIDATION_FAILED', errors.length === 1 ? errors[0].message : `${errors.length} fields are not valid.`, { errors });
  }
}

export class NotFoundError extends DomainError {
  constructor(detail = 'There is nothing here.') {
    super('NOT_FOUND', detail);
  }
}

export class ForbiddenError extends DomainError {
  constructor(detail = 'You are not allowed to do this.') {
    super('FORBIDDEN', detail);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(detail = 'Sign in to continue.') {
    super('UNAUTHENTICATED', detail);
  }
}

/**
 * A page needs a signed-in user: browsers are sent (303) to `signInPath` instead of an error
 * page. Thrown by the page guards (back-office, later the Account Center pages).
 */
export class SignInRequiredError extends UnauthenticatedError {
  constructor(readonly signInPath: string) {
    super('Sign in to continue.');
  }
}

/** A form posted without the CSRF token of its page (or with one of another session). */
export class CsrfInvalidError extends DomainError {
  constructor() {
    super('CSRF_INVALID', 'This form has expired or did not come from this site. Go back, reload the page and try again.');
  }
}

export class RateLimitedError extends DomainError {
  constructor(retryAfterSeconds: number, detail = 'Too many requests. Try again later.') {
    super('RATE_LIMITED', detail, {}, retryAfterSeconds);
  }
}
