import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Validate,
  ValidateNested,
} from 'class-validator';
import { IsE164Phone } from '../../../common/validation/is-e164-phone';
import { IsEmailAddress } from '../../../common/validation/is-email-address';
import { IsCalendarDate } from './is-calendar-date';
import { Locale, LOCALES } from '../../../common/locales';

const trim = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

export class ContactCodeDto {
  @ApiProperty({ description: 'The `id` from POST /api/v1/appeals/contact-verifications.' })
  @IsString()
  @Length(1, 64)
  id!: string;

  @ApiProperty({ description: 'The 6-digit code sent to the contact email.', example: '482913' })
  @IsString()
  @Length(1, 16)
  code!: string;
}

/** The account, named by any of these (current or former values). */
export class AppealAccountDto {
  @ApiPropertyOptional({ description: '16-digit account ID.', example: '2081536794412356' })
  @IsOptional()
  @Matches(/^[1-9]\d{15}$/, { message: 'must be a 16-digit account ID' })
  uid?: string;

  @ApiPropertyOptional({ description: 'A logon email the account has or had.' })
  @IsOptional()
  @IsEmailAddress()
  logonEmail?: string;

  @ApiPropertyOptional({ description: 'A secure phone the account has or had (E.164).', example: '+8613812345678' })
  @IsOptional()
  @IsE164Phone()
  securePhone?: string;
}

export class AppealChangesDto {
  @ApiPropertyOptional({ description: 'New logon email: must be the verified contact email.' })
  @IsOptional()
  @IsEmailAddress()
  logonEmail?: string;

  @ApiPropertyOptional({ description: 'New secure phone (E.164).' })
  @IsOptional()
  @IsE164Phone()
  securePhone?: string;

  @ApiPropertyOptional({ description: 'Send a password-reset link to the contact email when the appeal completes.' })
  @IsOptional()
  @IsBoolean()
  resetPassword?: boolean;

  @ApiPropertyOptional({ description: 'Remove TOTP from the account.' })
  @IsOptional()
  @IsBoolean()
  disableTotp?: boolean;
}

export class AppealEvidenceDto {
  @ApiProperty({ example: 'Ada Lovelace' })
  @trim()
  @IsString()
  @Length(1, 200)
  fullName!: string;

  @ApiProperty({ description: 'What happened, and anything that shows the account is yours.' })
  @trim()
  @IsString()
  @Length(1, 5000)
  description!: string;

  @ApiPropertyOptional({ example: 'passport' })
  @IsOptional()
  @trim()
  @IsString()
  @Length(1, 50)
  idDocumentType?: string;

  @ApiPropertyOptional({ example: '4821' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9]{4}$/, { message: 'must be the last 4 letters or digits of the document number' })
  idDocumentLast4?: string;

  @ApiPropertyOptional({ description: 'A decimal string.', example: '129.90' })
  @IsOptional()
  @Matches(/^\d{1,12}(\.\d{1,2})?$/, { message: 'must be a decimal amount such as 129.90' })
  lastPaymentAmount?: string;

  @ApiPropertyOptional({ example: '2026-10-31' })
  @IsOptional()
  @Validate(IsCalendarDate)
  lastPaymentDate?: string;

  @ApiPropertyOptional({ type: [String], example: ['i-bp1g6zv0ce8oghu7k2a3'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  resourceIds?: string[];

  @ApiPropertyOptional({ example: 'cn-hangzhou' })
  @IsOptional()
  @trim()
  @IsString()
  @Length(1, 100)
  usualRegion?: string;
}

export class FileAppealDto {
  @ApiProperty({ type: ContactCodeDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ContactCodeDto)
  contactVerification!: ContactCodeDto;

  @ApiProperty({ type: AppealAccountDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => AppealAccountDto)
  account!: AppealAccountDto;

  @ApiProperty({ type: AppealChangesDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => AppealChangesDto)
  changes!: AppealChangesDto;

  @ApiProperty({ type: AppealEvidenceDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => AppealEvidenceDto)
  evidence!: AppealEvidenceDto;

  @ApiPropertyOptional({ enum: LOCALES, description: 'Language of the appeal notices (default en).' })
  @IsOptional()
  @IsIn(LOCALES)
  locale?: Locale;
}
