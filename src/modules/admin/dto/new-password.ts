import { applyDecorators } from '@nestjs/common';
import { IsString, Length } from 'class-validator';

/** A password as provisioning accepts it: the policy's length, 12 to 128 characters. */
export function IsNewPassword(): PropertyDecorator {
  return applyDecorators(IsString(), Length(12, 128));
}
