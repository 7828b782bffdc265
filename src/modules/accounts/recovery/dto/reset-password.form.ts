import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../../common/http/form.dto';
import { IsNewPassword } from '../../dto/is-new-password';

/** Fields are optional here so an empty one comes back as a message beside it, not a 400 page. */
export class ResetPasswordForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(32)
  code?: string;

  @IsOptional()
  @IsNewPassword()
  newPassword?: string;
}
