import { IsIn } from 'class-validator';
import { Locale, LOCALES } from '../../../common/locales';

export class UpdateAccountDto {
  @IsIn(LOCALES)
  locale!: Locale;
}
