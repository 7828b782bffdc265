import { IntersectionType, PickType } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto, NextField } from '../../../common/http/form.dto';
import { SecondaryMethodDto } from '../../accounts/dto/secondary-method.dto';

/** `use=recovery-code`: the authenticator challenge, answered with a recovery code. */
export const RECOVERY_CODE = 'recovery-code';

/** A page field of "Try another way": the way a method is used. */
class UseField {
  @IsOptional()
  @IsString()
  @MaxLength(16)
  use?: string;
}

/**
 * "Try another way" on /login/verify: the method to go on with, by the API's rule (the challenge
 * is in the `ac_signin` cookie). A refusal is shown in the "another way" box, as the API's are.
 */
export class SignInMethodForm extends IntersectionType(FormDto, PickType(SecondaryMethodDto, ['method'] as const), UseField, NextField) {}
