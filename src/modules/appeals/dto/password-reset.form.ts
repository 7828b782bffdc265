import { IsOptional } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';
import { IsNewPassword } from '../../accounts/dto/is-new-password';

/** `/reset-password/:token`. */
export class PasswordResetForm extends FormDto {
  @IsOptional() @IsNewPassword() newPassword?: string;
}
