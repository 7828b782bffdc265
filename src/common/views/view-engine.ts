import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type Handlebars from 'handlebars';
import { supportedLocale } from '../i18n/page-locale';
import { translate } from '../i18n/page-texts';
import { formatDateTime } from './formats';

/** The Handlebars views of pages and notifications, at the project's root. */
export const VIEWS_DIR = join(__dirname, '..', '..', '..', 'views');

/** Helpers every page may use; they only format, never decide. */
export function registerViewHelpers(hbs: typeof Handlebars): void {
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('not', (a: unknown) => !a);
  hbs.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hbs.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hbs.registerHelper('isoDate', (value: Date | string | null | undefined) => (value ? new Date(value).toISOString() : ''));
  // In the page's time zone (`res.locals.timeZone`, UTC on the back-office), with the zone named.
  hbs.registerHelper('dateTime', function (this: unknown, value: Date | string | null | undefined, options: Handlebars.HelperOptions) {
    const root = options.data?.root as { timeZone?: string } | undefined;
    return formatDateTime(value, root?.timeZone);
  });
  hbs.registerHelper('json', (value: unknown) => JSON.stringify(value));
  // {{t "namespace:key" name=value}}: the page text in the page's locale (`res.locals.locale`).
  hbs.registerHelper('t', function (this: unknown, key: string, options: Handlebars.HelperOptions) {
    const root = options.data?.root as { locale?: string } | undefined;
    return new hbs.SafeString(escapeText(translate(supportedLocale(root?.locale) ?? 'en', key, options.hash as Record<string, unknown>)));
  });
  hbs.registerHelper('errorList', (errors: unknown) => errorList(errors));
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(String).join(''));
}

/**
 * A page text (and the values put into it) escaped for HTML text and double-quoted attributes,
 * the only places the views put one. An apostrophe stays as typed ("Can't"), which the views'
 * double-quoted attributes allow.
 */
export function escapeText(text: string): string {
  return text.replace(/[&<>"`]/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Fields whose messages concern the whole form: the summary lists them without a link. */
const FORM_WIDE = new Set(['form', 'closed']);

/** A form's messages by field as the error summary lists them: each with a link to its field (`#field`). */
export function errorList(errors: unknown): { href?: string; message: string }[] {
  if (!errors || typeof errors !== 'object') return [];
  return Object.entries(errors as Record<string, unknown>).flatMap(([field, message]) => {
    const messages = (Array.isArray(message) ? message : [message]).filter((text): text is string => typeof text === 'string' && text !== '');
    return messages.map((text) => ({ href: FORM_WIDE.has(field) ? undefined : `#${field}`, message: text }));
  });
}

/** Registers every `.hbs` under `dir` as a partial named by its path (`field-error`, `agent/actions`). */
export function registerPartials(hbs: typeof Handlebars, dir: string, base = dir): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) registerPartials(hbs, path, base);
    else if (entry.name.endsWith('.hbs')) hbs.registerPartial(relative(base, path).replace(/\.hbs$/, ''), readFileSync(path, 'utf8'));
  }
}
