import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** The new logon email. */
export class NewEmailForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(320)
  newEmail?: string;
}
