import { DomainError } from '../../common/errors/domain-error';

export class VerificationCodeInvalidError extends DomainError {
  /** `extras`: more members of the problem document (a passkey verification's fresh `options`). */
  constructor(
    readonly attemptsRemaining: number,
    extras: Readonly<Record<string, unknown>> = {},
  ) {
    super(
      'VERIFICATION_CODE_INVALID',
      attemptsRemaining > 0
        ? `The code is not correct. ${attemptsRemaining} attempt${attemptsRemaining === 1 ? '' : 's'} left.`
        : 'The code is not correct, and no attempts are left: ask for a new code.',
      { attemptsRemaining, ...extras },
    );
  }
}

export class VerificationExpiredError extends DomainError {
  constructor() {
    super('VERIFICATION_EXPIRED', 'The code has expired: ask for a new one.');
  }
}

export class VerificationUsedError extends DomainError {
  constructor() {
    super('VERIFICATION_USED', 'This code has already been used.');
  }
}

/** Too many wrong codes: on this challenge (no Retry-After), or for the account (Retry-After until the lock ends). */
export class VerificationLockedError extends DomainError {
  constructor(retryAfterSeconds?: number) {
    super(
      'VERIFICATION_LOCKED',
      retryAfterSeconds === undefined
        ? 'Too many wrong codes for this verification: start a new one.'
        : 'Verification is locked for this account after too many wrong codes. Try again later.',
      {},
      retryAfterSeconds,
    );
  }
}

export class ResendTooSoonError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super('RESEND_TOO_SOON', `Wait ${retryAfterSeconds} seconds before asking for another code.`, {}, retryAfterSeconds);
  }
}

export class MethodUnavailableError extends DomainError {
  constructor(detail = 'This verification method is not available for this account.') {
    super('METHOD_UNAVAILABLE', detail);
  }
}

export class VerificationTokenInvalidError extends DomainError {
  constructor() {
    super('VERIFICATION_TOKEN_INVALID', 'Verify your identity again: the verification is missing, used, expired or for another action.');
  }
}
