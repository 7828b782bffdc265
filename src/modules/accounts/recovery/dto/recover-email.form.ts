import { IntersectionType } from '@nestjs/swagger';
import type { FormDefaults, FormTexts } from '../../../../common/http/form-body';
import { CountryField, FormDto, ReadAsPhone } from '../../../../common/http/form.dto';
import { defaultCountry, PHONE_EXAMPLE } from '../../../../common/phones';
import { LogonEmailReminderDto } from './logon-email-reminder.dto';

/** The phone as people type it, read in the country beside it (see `ReadAsPhone`). */
class TypedPhone {
  @ReadAsPhone('country')
  securePhone?: string;
}

/** `/recover/email`: the JSON API's rule (E.164) on the secure phone as typed, read in the country chosen beside it. */
export class RecoverEmailForm extends IntersectionType(FormDto, LogonEmailReminderDto, CountryField, TypedPhone) {}

export const RECOVER_EMAIL_TEXTS: FormTexts = {
  securePhone: {
    isMissing: 'recovery:email.enterPhone',
    isE164Phone: { key: 'account:contact.phone.invalid', values: { example: PHONE_EXAMPLE } },
  },
};

/** Without a country chosen, a national number is read in the page language's. */
export const RECOVER_EMAIL_DEFAULTS: FormDefaults = { country: defaultCountry };
