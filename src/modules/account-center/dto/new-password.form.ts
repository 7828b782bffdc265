import { IsOptional } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';
import { IsNewPassword } from '../../accounts/dto/is-new-password';

/** The new logon password (the verification token is in the `ac_verified` cookie). */
export class NewPasswordForm extends FormDto {
  @IsOptional()
  @IsNewPassword()
  newPassword?: string;
}
