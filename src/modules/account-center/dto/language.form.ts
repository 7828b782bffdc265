import { IntersectionType } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto, NextField } from '../../../common/http/form.dto';
import { UpdateAccountDto } from '../../accounts/dto/update-account.dto';

/** A page field: an IANA zone; empty: automatic. Absent (the footer's switch): unchanged. */
class TimeZoneField {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timeZone?: string;
}

/**
 * The language (the JSON API's rule: one of the supported locales) and, on /security, the time
 * zone of the account's pages and messages. Both are chosen from a list, so a refusal is the 400 page.
 */
export class LanguageForm extends IntersectionType(FormDto, UpdateAccountDto, TimeZoneField, NextField) {}
