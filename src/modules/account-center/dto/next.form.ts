import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** A button that only carries where to go after sign-in (resend the sign-in code). */
export class NextForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(512)
  next?: string;
}
