import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VIEWS_DIR } from '../../common/views/view-engine';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { TemplateId } from './notification-templates';
import { Locale } from '../../common/locales';
import { isTimeZone, localeTimeZone, zoneName } from '../../common/time-zones';

export interface RenderedEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

type Compiled = Handlebars.TemplateDelegate;
type Kind = 'html' | 'text';

const DATE_STYLES: Record<Locale, { readonly locale: string; readonly dateStyle: 'medium' | 'long' }> = {
  en: { locale: 'en-GB', dateStyle: 'medium' },
  'zh-CN': { locale: 'zh-CN', dateStyle: 'long' },
};

/**
 * One formatter per locale and zone (a bounded set: two locales, the zones ICU knows). Building
 * an ICU formatter costs more than formatting with it, and holds native memory until V8's next
 * full collection.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** `22 Nov 2026, 14:05 UTC`, `2026年11月22日 22:05 Asia/Shanghai`: in the reader's zone, with the zone named. */
export function messageDate(value: string | Date, locale: Locale, zone: string | undefined): string {
  const timeZone = isTimeZone(zone) ? zone : localeTimeZone(locale);
  const key = `${locale} ${timeZone}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    const style = DATE_STYLES[locale];
    formatter = new Intl.DateTimeFormat(style.locale, { dateStyle: style.dateStyle, timeStyle: 'short', timeZone });
    formatters.set(key, formatter);
  }
  return `${formatter.format(new Date(value))} ${zoneName(timeZone)}`;
}

/** Email fragments shared by several templates: `views/email/partials/<name>/<locale>.<kind>.hbs`, used as `{{> name}}`. */
const PARTIALS_DIR = join('email', 'partials');

/**
 * Renders message templates from `views/email` and `views/sms` with a Handlebars instance of
 * its own, in strict mode (a missing variable throws). HTML is escaped; text and SMS are not,
 * so an `&` stays an `&`. Every template also sees `baseUrl` (PUBLIC_BASE_URL, for links to
 * fixed pages) and `locale`. Compiled templates are cached.
 */
@Injectable()
export class TemplateRenderer {
  private readonly handlebars = Handlebars.create();
  private readonly cache = new Map<string, Compiled>();
  private readonly partialSets = new Map<string, Record<string, Compiled>>();
  private readonly partialNames: readonly string[];
  private readonly baseUrl: string;

  constructor(@InjectConfig() config: Pick<AppConfig, 'http'>) {
    this.baseUrl = config.http.publicBaseUrl;
    this.partialNames = readdirSync(join(VIEWS_DIR, PARTIALS_DIR));
    this.handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    this.handlebars.registerHelper('date', function (this: unknown, value: string | Date, options: Handlebars.HelperOptions) {
      const root = options.data.root as { locale?: Locale; timeZone?: string };
      return messageDate(value, root.locale ?? 'en', root.timeZone);
    });
  }

  renderEmail(template: TemplateId, locale: Locale, variables: Record<string, unknown>): RenderedEmail {
    const context = this.context(variables, locale);
    const body = (kind: Kind) => {
      const rendered = this.compiled(join('email', template, `${locale}.${kind}.hbs`), kind === 'text')(context, {
        partials: this.partials(locale, kind),
      });
      // A conditional paragraph left out leaves its blank lines behind; one blank line between paragraphs is enough.
      return kind === 'text' ? rendered.replace(/\n{3,}/g, '\n\n').trim() : rendered;
    };
    const layout = (kind: Kind, content: string) =>
      this.compiled(join('email', 'layout', `${locale}.${kind}.hbs`), kind === 'text')({ ...context, content });
    const subject = this.compiled(join('email', template, `${locale}.subject.hbs`), true)(context).trim();
    return { subject, html: layout('html', body('html')), text: layout('text', body('text')) };
  }

  renderSms(template: TemplateId, locale: Locale, variables: Record<string, unknown>): string {
    return this.compiled(join('sms', template, `${locale}.hbs`), true)(this.context(variables, locale)).trim();
  }

  private context(variables: Record<string, unknown>, locale: Locale): Record<string, unknown> {
    return { ...variables, baseUrl: this.baseUrl, locale };
  }

  private partials(locale: Locale, kind: Kind): Record<string, Compiled> {
    const key = `${locale}.${kind}`;
    let set = this.partialSets.get(key);
    if (!set) {
      set = Object.fromEntries(
        this.partialNames.map((name) => [name, this.compiled(join(PARTIALS_DIR, name, `${key}.hbs`), kind === 'text')]),
      );
      this.partialSets.set(key, set);
    }
    return set;
  }

  private compiled(file: string, plain: boolean): Compiled {
    let template = this.cache.get(file);
    if (!template) {
      template = this.handlebars.compile(readFileSync(join(VIEWS_DIR, file), 'utf8'), { strict: true, noEscape: plain });
      this.cache.set(file, template);
    }
    return template;
  }
}
