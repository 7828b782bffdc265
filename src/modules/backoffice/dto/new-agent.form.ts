import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** Checked by the team page and the service, so each problem shows beside its field. */
export class NewAgentForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  email?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(32)
  role?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  password?: string;
}
