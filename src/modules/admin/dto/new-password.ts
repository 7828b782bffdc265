import { applyDecorators } from '@nestjs/common';
import { IsString, Length } from 'class-validator';
import { PASSWORD_MAX, PASSWORD_MIN } from '../../accounts/password-policy';

/** A password as provisioning accepts it: the policy's length, 12 to 128 characters. */
export function IsNewPassword(): PropertyDecorator {
  return applyDecorators(IsString(), Length(PASSWORD_MIN, PASSWORD_MAX));
}
