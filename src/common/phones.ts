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

/** Per locale, the countries in the order a phone field offers them: the same for every page, so sorted once. */
const countryLists = new Map<Locale, readonly { code: string; name: string; callingCode: string }[]>();

function countriesIn(locale: Locale): readonly { code: string; name: string; callingCode: string }[] {
  let list = countryLists.get(locale);
  if (!list) {
    const names = new Intl.DisplayNames([locale], { type: 'region' });
    const collator = new Intl.Collator(locale);
    const all = getCountries().map((code) => ({ code, name: names.of(code) ?? code, callingCode: getCountryCallingCode(code) }));
    all.sort((a, b) => collator.compare(a.name, b.name));
    const first = ['CN', 'US', 'HK', 'TW', 'SG', 'GB'].map((code) => all.find((option) => option.code === code)!).filter(Boolean);
    list = [...first, ...all.filter((option) => !first.includes(option))];
    countryLists.set(locale, list);
  }
  return list;
}

/** The countries of a phone field's choice, named in the page's language, its choice first. */
export function countryOptions(
  locale: Locale,
  selected: CountryCode,
): { code: string; name: string; callingCode: string; selected: boolean }[] {
  return countriesIn(locale).map((option) => ({ ...option, selected: option.code === selected }));
}
