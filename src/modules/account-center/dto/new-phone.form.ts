import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** The new secure phone as typed (national or with +), and the country a national number is read in (a page field). */
export class NewPhoneForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(32)
  newPhone?: string;

  @IsOptional()
  @IsString()
  @MaxLength(2)
  country?: string;
}
