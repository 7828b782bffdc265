import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { IsEmailAddress } from '../../../common/validation/is-email-address';
import { IsE164Phone } from '../../../common/validation/is-e164-phone';
import { IsNewPassword } from '../../accounts/dto/is-new-password';
import { Locale, LOCALES } from '../../../common/locales';

export class CreateAccountDto {
  @IsEmailAddress()
  logonEmail!: string;

  @IsNewPassword({ policyLength: true })
  password!: string;

  /** E.164, such as `+8613812345678`. */
  @IsOptional()
  @IsE164Phone()
  securePhone?: string;

  @IsOptional()
  @IsString()
  @Length(1, 100)
  displayName?: string;

  @IsOptional()
  @IsIn(LOCALES)
  locale?: Locale;
}
