import { applyDecorators } from '@nestjs/common';
import { IsString, Length, MaxLength } from 'class-validator';
import { PASSWORD_MAX, PASSWORD_MIN } from '../password-policy';

/**
 * The most characters a new-password field takes before validation refuses it (400). Below it
 * the password policy judges, naming every rule broken (422 PASSWORD_POLICY, length included);
 * above it the request is not worth reading.
 */
export const NEW_PASSWORD_INPUT_MAX = 1024;

/**
 * A new password in a request body, JSON or form. `policyLength` also checks the policy's 12 to
 * 128 characters here, for the callers that set a password without the policy (provisioning).
 */
export function IsNewPassword(options: { policyLength?: boolean } = {}): PropertyDecorator {
  return applyDecorators(IsString(), options.policyLength ? Length(PASSWORD_MIN, PASSWORD_MAX) : MaxLength(NEW_PASSWORD_INPUT_MAX));
}
