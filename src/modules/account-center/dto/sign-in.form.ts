import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** The sign-in form; fields are optional so an empty one comes back as a message beside it. */
export class SignInForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(320)
  login?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  password?: string;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  next?: string;
}
