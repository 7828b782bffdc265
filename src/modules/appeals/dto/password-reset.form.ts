import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** `/reset-password/:token`. */
export class PasswordResetForm extends FormDto {
  @IsOptional() @IsString() @MaxLength(1024) newPassword?: string;
}
