import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** `/appeal/status/access-token`: the reference and the verified contact email. */
export class AccessTokenResendForm extends FormDto {
  @IsOptional() @IsString() @MaxLength(64) reference?: string;
  @IsOptional() @IsString() @MaxLength(320) email?: string;
}
