import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** The code of a pending sign-in (the challenge itself is in the `ac_signin` cookie). */
export class SignInCodeForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(32)
  code?: string;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  next?: string;
}
