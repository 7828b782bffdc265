import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** `/appeal/status/messages`. */
export class AppealMessageForm extends FormDto {
  @IsOptional() @IsString() @MaxLength(10000) body?: string;
}
