import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** The language (and, on /security, the time zone) of the account's pages and messages; `next` is where to go back to. */
export class LanguageForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(8)
  locale?: string;

  /** An IANA zone; empty: automatic. Absent (the footer's switch): unchanged. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timeZone?: string;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  next?: string;
}
