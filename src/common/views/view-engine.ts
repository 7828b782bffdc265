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
  hbs.registerHelper('dateTime', (value: Date | string | null | undefined) => formatDateTime(value));
  hbs.registerHelper('json', (value: unknown) => JSON.stringify(value));
  // {{t "namespace:key" name=value}}: the page text in the page's locale (`res.locals.locale`).
  hbs.registerHelper('t', function (this: unknown, key: string, options: Handlebars.HelperOptions) {
    const root = options.data?.root as { locale?: string } | undefined;
    return translate(supportedLocale(root?.locale) ?? 'en', key, options.hash as Record<string, unknown>);
  });
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(String).join(''));
}

/** Registers every `.hbs` under `dir` as a partial named by its path (`field-error`, `agent/actions`). */
export function registerPartials(hbs: typeof Handlebars, dir: string, base = dir): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) registerPartials(hbs, path, base);
    else if (entry.name.endsWith('.hbs')) hbs.registerPartial(relative(base, path).replace(/\.hbs$/, ''), readFileSync(path, 'utf8'));
  }
}
