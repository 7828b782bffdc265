import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** The code of a verification (`id`) started for `purpose`. */
export class VerificationCodeForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(32)
  purpose?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  id?: string;

  @IsOptional()
  @IsString()
  @MaxLength(32)
  code?: string;
}
