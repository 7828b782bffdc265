import { DomainError } from '../../common/errors/domain-error';

export class EmailInUseError extends DomainError {
  constructor() {
    super('EMAIL_IN_USE', 'This email address is registered to another account.');
  }
}

export class LoginNameInUseError extends DomainError {
  constructor() {
    super('LOGIN_NAME_IN_USE', 'This account already has a RAM user with this login name.');
  }
}

/** Unknown login and wrong password alike, so the answer tells nothing about which. */
export class InvalidCredentialsError extends DomainError {
  constructor() {
    super('INVALID_CREDENTIALS', 'The login or password is not correct.');
  }
}

export class LoginThrottledError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super('LOGIN_THROTTLED', 'Too many failed sign-in attempts. Try again later.', {}, retryAfterSeconds);
  }
}

export class AccountFrozenError extends DomainError {
  constructor() {
    super(
      'ACCOUNT_FROZEN',
      'This account is frozen after a change was reported as not made by its owner. File an appeal to restore access.',
    );
  }
}

export class RootAccountRequiredError extends DomainError {
  constructor(detail: string) {
    super('ROOT_ACCOUNT_REQUIRED', detail);
  }
}

export class FederatedIdentityError extends DomainError {
  constructor() {
    super('FEDERATED_IDENTITY', 'You signed in through your enterprise SSO. Change your password at your corporate identity provider.');
  }
}

/** A change to the value the account already has. */
export class SameAsCurrentError extends DomainError {
  constructor(detail: string) {
    super('SAME_AS_CURRENT', detail);
  }
}

/** The account has the most passkeys it may have. */
export class PasskeyLimitError extends DomainError {
  constructor(max: number) {
    super('PASSKEY_LIMIT', `An account can have at most ${max} passkeys: remove one before adding another.`);
  }
}

export class PasskeyExistsError extends DomainError {
  constructor() {
    super('PASSKEY_EXISTS', 'This passkey is already registered.');
  }
}

/** A registration response that proves nothing: bad attestation, challenge, origin or RP ID, or no user verification. */
export class PasskeyInvalidError extends DomainError {
  constructor(detail = 'The passkey could not be verified. Start again.') {
    super('PASSKEY_INVALID', detail);
  }
}
