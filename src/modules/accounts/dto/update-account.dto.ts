import { IsIn } from 'class-validator';
import { ACCOUNT_LOCALES, AccountLocale } from '../entities/account.entity';

export class UpdateAccountDto {
  @IsIn(ACCOUNT_LOCALES)
  locale!: AccountLocale;
}
