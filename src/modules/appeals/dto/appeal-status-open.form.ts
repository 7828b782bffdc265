import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** `/appeal/status`: open an appeal with its reference and access token. */
export class AppealStatusOpenForm extends FormDto {
  @IsOptional() @IsString() @MaxLength(64) reference?: string;
  @IsOptional() @IsString() @MaxLength(128) accessToken?: string;
}
