import { UAParser } from 'ua-parser-js';
import type { Locale } from './locales';
import { translate } from './i18n/page-texts';

/** A browser and system named for people: `Chrome` and `Linux`, from a user-agent string. */
export interface DeviceName {
  readonly browser?: string;
  readonly os?: string;
}

/** What ua-parser-js makes of a user agent, with "Chrome Headless" and "Mobile Safari" read as their browser. */
export function deviceName(userAgent: string | null | undefined): DeviceName {
  if (!userAgent) return {};
  const parsed = new UAParser(userAgent).getResult();
  const browser = parsed.browser.name?.replace(/^Mobile /, '').replace(/ Headless$/, '') || undefined;
  return { browser, os: parsed.os.name || undefined };
}

/** `Chrome on Linux` / `Linux 上的 Chrome`; `Unknown device` when the user agent names neither. */
export function deviceLabel(userAgent: string | null | undefined, locale: Locale): string {
  const { browser, os } = deviceName(userAgent);
  if (browser && os) return translate(locale, 'common:device.browserOnSystem', { browser, os });
  if (browser || os) return (browser ?? os)!;
  return translate(locale, 'common:device.unknown');
}
