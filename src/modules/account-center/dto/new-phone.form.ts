import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** The new secure phone, in E.164 (spaces and dashes are taken out). */
export class NewPhoneForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(32)
  newPhone?: string;
}
