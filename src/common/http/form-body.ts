import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import type { Request, Response } from 'express';
import { FieldError, ValidationFailedError } from '../errors/domain-error';
import { localeOf } from '../i18n/page-locale';
import { hasText, PageText, pageText, translate } from '../i18n/page-texts';
import type { Locale } from '../locales';
import { toFieldErrors } from './validation.pipe';

/** A class of a form's body: the JSON API's DTO it extends, plus the page's own fields. */
type FormClass<T> = new () => T;

/** A page text's key, or the key and the values it is worded with (`{ key, values: { example } }`). */
export type FormText = string | { readonly key: string; readonly values: Readonly<Record<string, string | number>> };

/**
 * For a field, the page text that words each class-validator constraint (`isEmail`, `maxLength`,
 * `sameAs`...), most important first: when several rules fail, the first listed is shown. The
 * pseudo-rule `isMissing` words any failure of a field left empty (not given): "Enter your phone"
 * where the rule itself (`isE164Phone`) would say the same of an empty field and of a wrong one.
 */
export type FormTexts = Readonly<Record<string, Readonly<Record<string, FormText>>>>;

/**
 * A page field's value when the body does not post it, in the page's language (the country a
 * national phone number is read in): applied before the DTO transforms and validates the body.
 */
export type FormDefaults = Readonly<Record<string, (locale: Locale) => string>>;

/** A page form's body, validated by the DTO's own rules: the values, and a translated message per failing field. */
export interface SubmittedForm<T> {
  /** The body transformed into the DTO (trimmed, as the DTO transforms it); only what `errors` does not name is valid. */
  readonly value: T;
  /** At most one message per field, in the page's language; empty when the form is valid. */
  readonly errors: FieldError[];
}

/**
 * The body of a page form, validated by the same class-validator rules as the JSON API (a form's
 * DTO extends the API's DTO), yet handed to the controller even when a rule fails, with each
 * message in the page's language, so that the page shows it beside its field. Unknown fields are
 * still refused (400 to the error page), as everywhere.
 *
 * Synchronous (the API's DTOs have no asynchronous rule): a parameter decorator's value is not awaited.
 * The global validation pipe leaves this parameter alone (it validates `@Body()`, not custom decorators).
 */
export const FormBody = createParamDecorator(
  (spec: { readonly type: FormClass<object>; readonly texts?: FormTexts; readonly defaults?: FormDefaults }, context: ExecutionContext) => {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    return submittedForm(spec.type, request.body as unknown, response, spec.texts ?? {}, spec.defaults ?? {});
  },
);

/** `FormBody` for `type`: `@Form(NewEmailForm, { newEmail: { isEmail: 'account:contact.email.invalid' } })`. */
export function Form<T extends object>(type: FormClass<T>, texts: FormTexts = {}, defaults: FormDefaults = {}): ParameterDecorator {
  return FormBody({ type, texts, defaults });
}

/** Validates `body` as `type` (see `FormBody`). */
export function submittedForm<T extends object>(
  type: FormClass<T>,
  body: unknown,
  response: Response,
  texts: FormTexts = {},
  defaults: FormDefaults = {},
): SubmittedForm<T> {
  const plain = body !== null && typeof body === 'object' ? withDefaults(body, defaults, localeOf(response)) : {};
  const value = plainToInstance(type, plain);
  const errors = validateSync(value, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  if (errors.some(refusesShape)) throw new ValidationFailedError(toFieldErrors(errors));
  return { value, errors: fieldMessages(errors, value, response, texts) };
}

/** `body` with each defaulted page field it does not post set to its default for `locale`. */
function withDefaults(body: object, defaults: FormDefaults, locale: Locale): object {
  const missing = Object.entries(defaults).filter(([field]) => (body as Record<string, unknown>)[field] === undefined);
  return missing.length ? { ...body, ...Object.fromEntries(missing.map(([field, value]) => [field, value(locale)])) } : body;
}

/** A field the form does not have, or a body that is not an object: the request is not the page's. */
function refusesShape(error: ValidationError): boolean {
  const constraints = Object.keys(error.constraints ?? {});
  return constraints.includes('whitelistValidation') || constraints.includes('unknownValue') || (error.children ?? []).some(refusesShape);
}

/**
 * One message per failing field: the form's own text for the constraint if it names one, else the
 * shared `forms:` text of the rule with its limit, else (a rule no page words) class-validator's message.
 */
function fieldMessages(errors: ValidationError[], value: object, response: Response, texts: FormTexts): FieldError[] {
  const locale = localeOf(response);
  const t = pageText(locale);
  return errors.flatMap((error) => {
    const constraints = error.constraints ?? {};
    const failed = Object.keys(constraints);
    if (!failed.length) return toFieldErrors([error]).slice(0, 1);
    const own = texts[error.property] ?? {};
    const missing = (value as Record<string, unknown>)[error.property] === undefined;
    const chosen = Object.keys(own).find((name) => failed.includes(name) || (name === 'isMissing' && missing));
    if (chosen) return [{ field: error.property, message: worded(t, own[chosen]!, limitIn(constraints[chosen]!)) }];
    for (const name of failed) {
      const message = ruleText(locale, constraints[name]!) ?? (hasText(`forms:${name}`) ? t(`forms:${name}`) : undefined);
      if (message) return [{ field: error.property, message }];
    }
    return toFieldErrors([error]).slice(0, 1);
  });
}

/** class-validator's words for a limit, and the page text that says the same to a person. */
const LIMIT_RULES: readonly (readonly [RegExp, string])[] = [
  [/shorter than or equal to (\d+) characters/, 'forms:maxLength'],
  [/longer than or equal to (\d+) characters/, 'forms:minLength'],
  [/no more than (\d+) elements/, 'forms:arrayMaxSize'],
];

/**
 * A page's wording, in `locale`, of class-validator's message for a length or size limit ("must be
 * shorter than or equal to 200 characters"), with the limit; undefined for any other message.
 */
export function ruleText(locale: Locale, message: string): string | undefined {
  for (const [pattern, key] of LIMIT_RULES) {
    const match = pattern.exec(message);
    if (match) return translate(locale, key, { limit: Number(match[1]) });
  }
  return undefined;
}

function worded(t: PageText, text: FormText, limit: number | undefined): string {
  return typeof text === 'string' ? t(text, { limit }) : t(text.key, { limit, ...text.values });
}

function limitIn(message: string): number | undefined {
  const match = /(\d+)/.exec(message);
  return match ? Number(match[1]) : undefined;
}
