import i18next, { type i18n, type TOptions } from 'i18next';
import FsBackend from 'i18next-fs-backend';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LOCALES, type Locale } from '../locales';

/**
 * The texts of the pages, in every locale of `LOCALES`: `locales/<locale>/<namespace>.json`, one
 * namespace per part of the product (`common`, `sign-in`, `passkeys`, ...). A key is written
 * `namespace:key.path`; `{{name}}` in a text is replaced by the value of `name`, escaped by the
 * view helper. `locales/` is the one place a page text lives; a test fails on a key present in one
 * locale and missing in another.
 */
export const LOCALES_DIR = join(__dirname, '..', '..', '..', 'locales');

let instance: i18n | undefined;

/** The namespaces: the file names under `locales/en`. */
export function pageTextNamespaces(dir = LOCALES_DIR): string[] {
  return readdirSync(join(dir, 'en'))
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length))
    .sort();
}

/** Loads every locale and namespace once, synchronously, before the first page is rendered. */
export function pageTexts(): i18n {
  if (instance) return instance;
  const created = i18next.createInstance();
  void created.use(FsBackend).init({
    initAsync: false,
    lng: 'en',
    fallbackLng: false,
    supportedLngs: [...LOCALES],
    preload: [...LOCALES],
    load: 'currentOnly',
    ns: pageTextNamespaces(),
    defaultNS: 'common',
    nsSeparator: ':',
    keySeparator: '.',
    // Escaping is the view's job (Handlebars escapes whatever a helper returns as a string).
    interpolation: { escapeValue: false },
    returnNull: false,
    backend: { loadPath: join(LOCALES_DIR, '{{lng}}', '{{ns}}.json') },
  });
  instance = created;
  return created;
}

/** One text in one locale; an unknown key comes back as the key itself, which a test catches. */
export function translate(locale: Locale, key: string, options: TOptions = {}): string {
  return pageTexts().t(key, { ...options, lng: locale }) as string;
}

/** `t(key, vars)` in one locale: what page controllers use for titles, flashes and form messages. */
export type PageText = (key: string, options?: TOptions) => string;

export function pageText(locale: Locale): PageText {
  return (key, options = {}) => translate(locale, key, options);
}

/** Whether `key` has a text (in English, which every other locale matches). */
export function hasText(key: string): boolean {
  return pageTexts().exists(key, { lng: 'en' });
}
