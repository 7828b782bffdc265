import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** Choose how to verify your identity, for one purpose. */
export class StartVerificationForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(32)
  purpose?: string;

  @IsOptional()
  @IsString()
  @MaxLength(16)
  method?: string;
}
