import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** Another code for the verification `id` started for `purpose`. */
export class VerificationResendForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(32)
  purpose?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  id?: string;
}
