import { DomainError } from '../../common/errors/domain-error';

export type PasswordRule = 'length' | 'common' | 'contains_identity' | 'same_as_current' | 'weak';

export interface PasswordViolation {
  readonly rule: PasswordRule;
  readonly message: string;
}

/** 422 PASSWORD_POLICY, listing every rule the password breaks. */
export class PasswordPolicyError extends DomainError {
  constructor(readonly violations: readonly PasswordViolation[]) {
    super('PASSWORD_POLICY', violations.map((violation) => violation.message).join(' '), { violations });
  }
}
