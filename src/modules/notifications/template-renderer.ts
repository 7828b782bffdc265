import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VIEWS_DIR } from '../../app.setup';
import { Locale, TemplateId } from './notification-templates';

export interface RenderedEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

type Compiled = Handlebars.TemplateDelegate;

const DATE_FORMATS: Record<Locale, Intl.DateTimeFormat> = {
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }),
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }),
};

/**
 * Renders message templates from `views/email` and `views/sms` with a Handlebars instance of
 * its own, in strict mode (a missing variable throws). HTML is escaped; text and SMS are not,
 * so an `&` stays an `&`. Compiled templates are cached.
 */
@Injectable()
export class TemplateRenderer {
  private readonly handlebars = Handlebars.create();
  private readonly cache = new Map<string, Compiled>();

  constructor() {
    this.handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    this.handlebars.registerHelper('date', function (this: unknown, value: string | Date, options: Handlebars.HelperOptions) {
      const locale = (options.data.root as { locale?: Locale }).locale ?? 'en';
      return `${DATE_FORMATS[locale].format(new Date(value))} UTC`;
    });
  }

  renderEmail(template: TemplateId, locale: Locale, variables: Record<string, unknown>): RenderedEmail {
    const context = { ...variables, locale };
    const body = (kind: 'html' | 'text') => this.compiled(join('email', template, `${locale}.${kind}.hbs`), kind === 'text')(context);
    const layout = (kind: 'html' | 'text', content: string) =>
      this.compiled(join('email', 'layout', `${locale}.${kind}.hbs`), kind === 'text')({ ...context, content });
    const subject = this.compiled(join('email', template, `${locale}.subject.hbs`), true)(context).trim();
    return { subject, html: layout('html', body('html')), text: layout('text', body('text')) };
  }

  renderSms(template: TemplateId, locale: Locale, variables: Record<string, unknown>): string {
    return this.compiled(join('sms', template, `${locale}.hbs`), true)({ ...variables, locale }).trim();
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
