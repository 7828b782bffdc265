import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** The new logon password (the verification token is in the `ac_verified` cookie). */
export class NewPasswordForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  newPassword?: string;
}
