import { DomainError } from '../../common/errors/domain-error';

export class AgentEmailInUseError extends DomainError {
  constructor() {
    super('EMAIL_IN_USE', 'Another agent has this email address.');
  }
}

/** A failed back-office sign-in; `field` says which input the form shows the message beside. */
export class AgentSignInFailedError extends DomainError {
  constructor(
    readonly field: 'email' | 'password' | 'totp',
    detail: string,
  ) {
    super('INVALID_CREDENTIALS', detail, { field });
  }
}

/** Five failures in a row: the email may not try again for 15 minutes. */
export class AgentLockedError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super(
      'LOGIN_THROTTLED',
      `Too many failed sign-in attempts. Try again in ${Math.ceil(retryAfterSeconds / 60)} minutes.`,
      {},
      retryAfterSeconds,
    );
  }
}

/** Deactivating or reactivating an agent who already is, or an admin deactivating themselves. */
export class AgentTransitionError extends DomainError {
  constructor(detail: string) {
    super('TRANSITION_NOT_ALLOWED', detail);
  }
}
