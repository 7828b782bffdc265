import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** A code: sent to a new email or phone, or the first one of an authenticator app. */
export class CodeForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(32)
  code?: string;
}
