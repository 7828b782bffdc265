import { IntersectionType, OmitType } from '@nestjs/swagger';
import type { FormDefaults, FormTexts } from '../../../common/http/form-body';
import { CountryField, FormDto, ReadAsPhone } from '../../../common/http/form.dto';
import { defaultCountry, PHONE_EXAMPLE } from '../../../common/phones';
import { StartPhoneChangeDto } from '../../accounts/changes/dto/start-phone-change.dto';

/** The phone as people type it, read in the country beside it (see `ReadAsPhone`). */
class TypedPhone {
  @ReadAsPhone('country')
  newPhone?: string;
}

/**
 * The new secure phone: the JSON API's rule (E.164) on the number as typed, read in the country
 * chosen beside it (a page field); the verification token is in the `ac_verified` cookie.
 */
export class NewPhoneForm extends IntersectionType(
  FormDto,
  OmitType(StartPhoneChangeDto, ['verificationToken'] as const),
  CountryField,
  TypedPhone,
) {}

export const NEW_PHONE_TEXTS: FormTexts = {
  newPhone: { isE164Phone: { key: 'account:contact.phone.invalid', values: { example: PHONE_EXAMPLE } } },
};

/** Without a country chosen, a national number is read in the page language's. */
export const NEW_PHONE_DEFAULTS: FormDefaults = { country: defaultCountry };
