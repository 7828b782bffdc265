import type { NextFunction, Request, Response } from 'express';
import { LOCALES, type Locale } from '../locales';
import { isTimeZone, localeTimeZone } from '../time-zones';

/** Paths whose pages are in English only: the back-office and the admin API. */
const ENGLISH_ONLY = /^\/(?:agent|admin|api)(?:\/|$)/;

/** The cookie the footer's language switch sets. */
export const LOCALE_COOKIE = 'locale';

/** The browser's time zone, set by the pages' script (`public/js/pages.js`) for times shown before an account says its own. */
export const TIME_ZONE_COOKIE = 'tz';

/** `zh`, `zh-Hans-CN`, `zh-cn` → `zh-CN`; `en-GB` → `en`; anything else → undefined. */
export function supportedLocale(tag: string | undefined): Locale | undefined {
  if (!tag) return undefined;
  const lower = tag.trim().toLowerCase();
  const exact = LOCALES.find((locale) => locale.toLowerCase() === lower);
  if (exact) return exact;
  const language = lower.split(/[-_]/)[0];
  return LOCALES.find((locale) => locale.toLowerCase().split('-')[0] === language);
}

/** The first supported language of an `Accept-Language` header, by its q-values. */
export function localeFromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag, q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((entry) => entry.tag && Number.isFinite(entry.q) && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const entry of ranked) {
    const locale = supportedLocale(entry.tag);
    if (locale) return locale;
  }
  return undefined;
}

/**
 * The locale of a page before anyone is known: the footer switch's cookie, else
 * `Accept-Language`, else `en`. Pages of a signed-in account override it with the account's
 * locale (`setPageLocale`). The back-office stays English: its button texts are part of the
 * contract. Views read `locale` and `lang` from `res.locals`.
 */
export function pageLocale() {
  return (request: Request, response: Response, next: NextFunction): void => {
    if (ENGLISH_ONLY.test(request.path)) {
      // No language switch there: only the locale, at no cost to the API's requests.
      response.locals.locale = 'en';
      response.locals.lang = 'en';
      return next();
    }
    const cookies = request.cookies as Record<string, string> | undefined;
    response.locals.currentPath = request.method === 'GET' ? request.originalUrl : request.path;
    const locale = supportedLocale(cookies?.[LOCALE_COOKIE]) ?? localeFromAcceptLanguage(request.headers['accept-language']) ?? 'en';
    setPageLocale(response, locale);
    const browserZone = cookies?.[TIME_ZONE_COOKIE];
    response.locals.browserTimeZone = isTimeZone(browserZone) ? browserZone : undefined;
    setPageTimeZone(response, null);
    next();
  };
}

/**
 * The zone this response's page shows times in: the account's own (`zone`), else the browser's
 * (the `tz` cookie), else the locale's. The `dateTime` view helper reads `res.locals.timeZone`.
 */
export function setPageTimeZone(response: Response, zone: string | null | undefined): void {
  const browser = response.locals.browserTimeZone as string | undefined;
  response.locals.timeZone = (isTimeZone(zone) ? zone : undefined) ?? browser ?? localeTimeZone(localeOf(response));
}

/** The zone `setPageTimeZone` chose (UTC on the back-office). */
export function timeZoneOf(response: Response): string {
  const zone = response.locals.timeZone as string | undefined;
  return isTimeZone(zone) ? zone : 'UTC';
}

/** The locale this response's page is rendered in. */
export function setPageLocale(response: Response, locale: Locale): void {
  response.locals.locale = locale;
  response.locals.lang = locale;
  const next = (response.locals.currentPath as string | undefined) ?? '/';
  // The footer's language switch: links that set the cookie (and come back here), in every other language.
  response.locals.languages = LOCALES.map((code) => ({
    code,
    name: LANGUAGE_NAMES[code],
    current: code === locale,
    href: `/locale?${new URLSearchParams({ lang: code, next }).toString()}`,
  }));
}

/** Each language named in itself, as the switch shows it. */
export const LANGUAGE_NAMES: Record<Locale, string> = { en: 'English', 'zh-CN': '简体中文' };

/** The locale `pageLocale` (or a later override) chose for this response. */
export function localeOf(response: Response): Locale {
  return supportedLocale(response.locals.locale as string | undefined) ?? 'en';
}
