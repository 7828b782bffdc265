import { DomainError } from '../../common/errors/domain-error';

/** Freezing a frozen account, unfreezing an active one. */
export class AccountStatusTransitionError extends DomainError {
  constructor(detail: string) {
    super('TRANSITION_NOT_ALLOWED', detail);
  }
}
