import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IsEmailAddress } from '../../../common/validation/is-email-address';
import { Locale, LOCALES } from '../../../common/locales';

export class ContactVerificationDto {
  @ApiProperty({ description: 'The address every update of the appeal will go to; a code is sent there.', example: 'ada.new@example.com' })
  @IsEmailAddress()
  email!: string;

  @ApiPropertyOptional({ enum: LOCALES, description: 'Language of the code message (default en).' })
  @IsOptional()
  @IsIn(LOCALES)
  locale?: Locale;
}
