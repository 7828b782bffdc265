import Handlebars from 'handlebars';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VIEWS_DIR } from '../../common/views/view-engine';
import { loadConfig } from '../../config/app-config';
import type { JsonValue } from '../../common/json';
import { NotificationChannel, TEMPLATE_IDS, TemplateId, templateSpec, variableProblems } from './notification-templates';
import { TemplateRenderer } from './template-renderer';
import { Locale, LOCALES } from '../../common/locales';

const BASE_URL = 'https://accounts.example.com';
const HOSTILE = '<script>alert("x")</script> {{code}} & co';
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T/;
const CJK = /[\u4e00-\u9fff]/;
/** What the renderer adds to every template's variables. */
const PROVIDED = new Set(['baseUrl', 'locale']);
/** The password-changed SMS points to the email instead of carrying the revert link itself (docs/product.md: the email carries the "this wasn't me" link). */
const SMS_WITHOUT_SECRET: Partial<Record<TemplateId, string>> = { 'password-changed': 'revertUrl' };

const renderer = new TemplateRenderer(loadConfig({ APP_SECRET: 'ab'.repeat(32), PUBLIC_BASE_URL: BASE_URL }));

interface Rendered {
  readonly channel: NotificationChannel;
  /** The subject for email; absent for SMS. */
  readonly subject?: string;
  readonly html?: string;
  readonly text: string;
}

function render(id: TemplateId, channel: NotificationChannel, locale: Locale, variables: Record<string, unknown>): Rendered {
  if (channel === 'sms') return { channel, text: renderer.renderSms(id, locale, variables) };
  return { channel, ...renderer.renderEmail(id, locale, variables) };
}

const cases = TEMPLATE_IDS.flatMap((id) =>
  templateSpec(id).channels.flatMap((channel) => LOCALES.map((locale) => [id, channel, locale] as const)),
);

/** Variables that choose among fixed wordings rather than being shown. */
const CHOICES = new Set(['purpose', 'reason', 'breach', 'changes']);

/** Every shown string of `value` replaced by `HOSTILE` (dates go through the `date` helper, choices pick a wording). */
function hostile(value: JsonValue, key = ''): JsonValue {
  if (CHOICES.has(key)) return value;
  if (typeof value === 'string') return ISO_DATE.test(value) ? value : HOSTILE;
  if (Array.isArray(value)) return value.map((item) => hostile(item));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, hostile(inner, name)]));
  return value;
}

/** The template files of one message, by kind: email subject, html and text, or the SMS body. */
function files(id: TemplateId, channel: NotificationChannel, locale: Locale): Record<string, string> {
  if (channel === 'sms') return { sms: join('sms', id, `${locale}.hbs`) };
  return Object.fromEntries(['subject', 'html', 'text'].map((kind) => [kind, join('email', id, `${locale}.${kind}.hbs`)]));
}

/**
 * The top-level variables a template reads, from its syntax tree: plain `{{name}}`, helper
 * arguments, `@root.name` and `../name` out of `#each`, and the same inside the partials it
 * includes. Strict mode alone misses a variable read only by `#if`, which renders nothing
 * when the variable is absent.
 */
function variablesRead(source: string, partial: (name: string) => string): Set<string> {
  const found = new Set<string>();
  const contextHelpers = new Set(['each', 'with']);
  const helpers = new Set(['if', 'unless', 'each', 'with', 'eq', 'date']);

  const path = (node: hbs.AST.PathExpression, depth: number) => {
    if (node.data) {
      if (node.parts[0] === 'root' && node.parts[1]) found.add(node.parts[1]);
      return;
    }
    if (node.depth === depth && node.parts.length) found.add(node.parts[0]);
  };
  const expression = (node: hbs.AST.Expression, depth: number) => {
    if (node.type === 'PathExpression') path(node as hbs.AST.PathExpression, depth);
    else if (node.type === 'SubExpression') call(node as hbs.AST.SubExpression, depth);
  };
  const call = (node: hbs.AST.MustacheStatement | hbs.AST.SubExpression | hbs.AST.BlockStatement, depth: number) => {
    const name = (node.path as hbs.AST.PathExpression).original;
    const isHelper = helpers.has(name) || node.params.length > 0;
    if (!isHelper) expression(node.path, depth);
    for (const param of node.params) expression(param, depth);
    for (const pair of node.hash?.pairs ?? []) expression(pair.value, depth);
  };
  const program = (node: hbs.AST.Program | undefined, depth: number) => {
    for (const statement of node?.body ?? []) {
      if (statement.type === 'MustacheStatement') call(statement as hbs.AST.MustacheStatement, depth);
      else if (statement.type === 'BlockStatement') {
        const block = statement as hbs.AST.BlockStatement;
        call(block, depth);
        const inner = contextHelpers.has((block.path as hbs.AST.PathExpression).original) ? depth + 1 : depth;
        program(block.program, inner);
        program(block.inverse, depth);
      } else if (statement.type === 'PartialStatement') {
        const name = ((statement as hbs.AST.PartialStatement).name as hbs.AST.PathExpression).original;
        program(Handlebars.parse(partial(name)), depth);
      }
    }
  };
  program(Handlebars.parse(source), 0);
  return found;
}

function variablesOfFile(file: string, locale: Locale): Set<string> {
  const kind = file.endsWith('.text.hbs') ? 'text' : 'html';
  return variablesRead(readFileSync(join(VIEWS_DIR, file), 'utf8'), (name) =>
    readFileSync(join(VIEWS_DIR, 'email', 'partials', name, `${locale}.${kind}.hbs`), 'utf8'),
  );
}

describe(TemplateRenderer.name, () => {
  describe.each(cases)('%s by %s in %s', (id, channel, locale) => {
    const spec = templateSpec(id);
    const message = () => render(id, channel, locale, { ...spec.sample });

    it('renders its sample in strict mode, with no hole in it', () => {
      const { subject, html, text } = message();
      for (const part of [subject, html, text]) expect(part ?? '').not.toMatch(/undefined|\[object Object\]|NaN|Invalid Date/);
      if (channel === 'email') {
        expect(subject).toMatch(/\S/);
        expect(subject).not.toMatch(/[\r\n]/);
        expect(html).toMatch(/^<!doctype html>/);
      } else {
        expect(text.startsWith(locale === 'en' ? '[Account Center] ' : '【账号中心】')).toBe(true);
        expect(text).not.toMatch(/\n/);
      }
    });

    it('speaks the language of its locale', () => {
      const { subject, text } = message();
      const words = `${subject ?? ''}\n${text}`;
      if (locale === 'en') expect(words).not.toMatch(CJK);
      else expect(words).toMatch(CJK);
    });

    it('carries its secrets, a code alone on its line in email text', () => {
      const { html, text } = message();
      for (const secret of spec.secrets) {
        const value = String(spec.sample[secret]);
        if (channel === 'sms' && SMS_WITHOUT_SECRET[id] === secret) {
          expect(text).not.toContain(value);
          continue;
        }
        expect(text).toContain(value);
        if (html !== undefined) expect(html).toContain(value);
      }
      if ('code' in spec.sample && channel === 'email') expect(text).toMatch(new RegExp(`^${String(spec.sample.code)}$`, 'm'));
      if ('code' in spec.sample) expect(String(spec.sample.code)).toMatch(/^\d{6}$/);
    });

    it('links only to absolute addresses', () => {
      const { html, text } = message();
      for (const [, href] of (html ?? '').matchAll(/href="([^"]*)"/g)) expect(href.startsWith(`${BASE_URL}/`)).toBe(true);
      for (const [url] of text.matchAll(/https?:\/\/[^\s/]*\//g)) expect(url).toBe(`${BASE_URL}/`);
      expect(text).not.toMatch(/(?<!https:\/\/accounts\.example\.com)\/(secure|appeal|reset-password|agent|security|recover|login)\b/);
    });

    it('escapes hostile values in HTML and keeps them verbatim, unevaluated, in text', () => {
      const { subject, html, text } = render(id, channel, locale, hostile(spec.sample as JsonValue) as Record<string, unknown>);
      expect(html ?? '').not.toContain('<script>');
      if (html !== undefined) expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      expect(`${subject ?? ''}\n${text}`).toContain(HOSTILE);
      expect(text).not.toContain(String(spec.sample.code ?? 'no code here'));
    });

    it('reads exactly the catalogue’s variables, the same in both languages', () => {
      const other = LOCALES.find((candidate) => candidate !== locale)!;
      for (const [kind, file] of Object.entries(files(id, channel, locale))) {
        const read = variablesOfFile(file, locale);
        for (const name of read)
          if (!PROVIDED.has(name)) expect(`${kind}: ${name}`).toBe(`${kind}: ${name in spec.sample ? name : '(not in the catalogue)'}`);
        expect([...read].sort()).toEqual([...variablesOfFile(files(id, channel, other)[kind], other)].sort());
      }
    });
  });

  it.each(TEMPLATE_IDS)('%s: every variable of the catalogue is used by some template', (id) => {
    const spec = templateSpec(id);
    const used = new Set(
      spec.channels.flatMap((channel) =>
        LOCALES.flatMap((locale) => Object.values(files(id, channel, locale)).flatMap((file) => [...variablesOfFile(file, locale)])),
      ),
    );
    expect(Object.keys(spec.sample).filter((name) => !used.has(name))).toEqual([]);
  });

  it('has a template file for every channel of the catalogue, and none beyond it', () => {
    for (const id of TEMPLATE_IDS) {
      for (const channel of ['email', 'sms'] as const) {
        const listed = templateSpec(id).channels.includes(channel);
        for (const locale of LOCALES)
          for (const file of Object.values(files(id, channel, locale)))
            expect(`${file}: ${existsSync(join(VIEWS_DIR, file))}`).toBe(`${file}: ${listed}`);
      }
    }
    const dirs = [...readdirSync(join(VIEWS_DIR, 'email')), ...readdirSync(join(VIEWS_DIR, 'sms'))].filter(
      (name) => !['layout', 'partials'].includes(name),
    );
    expect(dirs.filter((name) => !TEMPLATE_IDS.includes(name as TemplateId))).toEqual([]);
  });

  it('leaves the password-reset link out of appeal-completed when no reset was asked', () => {
    const spec = templateSpec('appeal-completed');
    for (const locale of LOCALES) {
      const { html, text } = renderer.renderEmail('appeal-completed', locale, {
        ...spec.sample,
        resetUrl: null,
        securePhoneRemoved: false,
      });
      expect(text).not.toContain('/reset-password/');
      expect(html).not.toContain('/reset-password/');
      expect(text).toContain(`${BASE_URL}/login`);
      expect(text).not.toMatch(/\n{3,}/);
    }
  });

  it('formats dates in the reader’s language and zone, with the zone named (the locale’s zone by default)', () => {
    const variables = { ...templateSpec('verification-locked').sample };
    expect(renderer.renderSms('verification-locked', 'en', variables)).toContain('22 Nov 2026, 10:30 UTC');
    expect(renderer.renderSms('verification-locked', 'zh-CN', variables)).toContain('2026年11月22日 18:30 Asia/Shanghai');
    expect(renderer.renderSms('verification-locked', 'en', { ...variables, timeZone: 'America/New_York' })).toContain(
      '22 Nov 2026, 05:30 America/New_York',
    );
    expect(renderer.renderSms('verification-locked', 'zh-CN', { ...variables, timeZone: 'UTC' })).toContain('2026年11月22日 10:30 UTC');
  });
});

describe(variableProblems.name, () => {
  it('names the variables a notice lacks and those no template uses', () => {
    expect(variableProblems('verification-code', { code: '123456', expiresInMinutes: 10, purpose: 'change_email' })).toEqual([]);
    expect(variableProblems('verification-code', { code: '123456', purpose: undefined, colour: 'red' })).toEqual([
      'missing expiresInMinutes',
      'missing purpose',
      'unknown colour',
    ]);
    expect(variableProblems('appeal-completed', { ...templateSpec('appeal-completed').sample, resetUrl: null })).toEqual([]);
  });
});
