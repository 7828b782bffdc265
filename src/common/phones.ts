import { getCountries, getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { Locale } from './locales';

/** The country a phone field starts on: the one of the page's language. */
const LOCALE_COUNTRIES: Record<Locale, CountryCode> = { en: 'US', 'zh-CN': 'CN' };

/** The one example every phone field gives: a Chinese mobile number, typed as people type it. */
export const PHONE_EXAMPLE = '139 1234 5678';

export function defaultCountry(locale: Locale): CountryCode {
  return LOCALE_COUNTRIES[locale];
}

export function isCountry(value: unknown): value is CountryCode {
  return typeof value === 'string' && (getCountries() as string[]).includes(value);
}

/**
 * A phone as a person types it (`13800001111`, `138 1234 5678`, `(415) 555-0134`, `+86 138…`)
 * in E.164, read as a number of `country` unless it starts with `+` or `00`; undefined when it
 * is no valid number.
 */
export function normalisePhone(typed: string, country: CountryCode): string | undefined {
  const text = typed.trim().replace(/^00/, '+');
  if (!text) return undefined;
  const parsed = parsePhoneNumberFromString(text, text.startsWith('+') ? undefined : country);
  return parsed?.isValid() ? parsed.number : undefined;
}

/** The countries of a phone field's choice, named in the page's language, its choice first. */
export function countryOptions(
  locale: Locale,
  selected: CountryCode,
): { code: string; name: string; callingCode: string; selected: boolean }[] {
  const names = new Intl.DisplayNames([locale], { type: 'region' });
  const all = getCountries().map((code) => ({
    code,
    name: names.of(code) ?? code,
    callingCode: getCountryCallingCode(code),
    selected: code === selected,
  }));
  all.sort((a, b) => a.name.localeCompare(b.name, locale));
  const first = ['CN', 'US', 'HK', 'TW', 'SG', 'GB'].map((code) => all.find((option) => option.code === code)!).filter(Boolean);
  return [...first, ...all.filter((option) => !first.includes(option))];
}
