import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../../common/http/form.dto';

/** Fields are optional here so an empty one comes back as a message beside it, not a 400 page. */
export class RecoverEmailForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(32)
  securePhone?: string;

  /** A page field: the country a national number is read in. */
  @IsOptional()
  @IsString()
  @MaxLength(2)
  country?: string;
}
