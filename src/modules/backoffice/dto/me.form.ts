import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';
import { IsNewPassword } from '../../accounts/dto/is-new-password';

export const ME_ACTIONS = ['change-password', 'enable-totp'] as const;

/** `/agent/me` has two forms; `action` says which one was posted. */
export class MeForm extends FormDto {
  @IsIn(ME_ACTIONS)
  action!: (typeof ME_ACTIONS)[number];

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  currentPassword?: string;

  @IsOptional()
  @IsNewPassword()
  newPassword?: string;

  @IsOptional()
  @IsString()
  @MaxLength(2048)
  enrolment?: string;

  @IsOptional()
  @IsString()
  @MaxLength(16)
  code?: string;
}
