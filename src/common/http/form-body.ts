import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, ValidationError } from 'class-validator';
import type { Request, Response } from 'express';
import { FieldError, ValidationFailedError } from '../errors/domain-error';
import { localeOf } from '../i18n/page-locale';
import { hasText, pageText } from '../i18n/page-texts';
import { toFieldErrors } from './validation.pipe';

/** A class of a form's body: the JSON API's DTO it extends, plus the page's own fields. */
type FormClass<T> = new () => T;

/**
 * For a field, the page text that words each class-validator constraint (`isEmail`, `maxLength`,
 * `sameAs`...), most important first: when several rules fail, the first listed is shown.
 */
export type FormTexts = Readonly<Record<string, Readonly<Record<string, string>>>>;

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
  (spec: { readonly type: FormClass<object>; readonly texts?: FormTexts }, context: ExecutionContext) => {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    return submittedForm(spec.type, request.body as unknown, response, spec.texts ?? {});
  },
);

/** `FormBody` for `type`: `@FormBody(NewEmailForm, { newEmail: { isEmail: 'account:contact.email.invalid' } })`. */
export function Form<T extends object>(type: FormClass<T>, texts: FormTexts = {}): ParameterDecorator {
  return FormBody({ type, texts });
}

/** Validates `body` as `type` (see `FormBody`). */
export function submittedForm<T extends object>(
  type: FormClass<T>,
  body: unknown,
  response: Response,
  texts: FormTexts = {},
): SubmittedForm<T> {
  const plain = body !== null && typeof body === 'object' ? body : {};
  const value = plainToInstance(type, plain);
  const errors = validateSync(value, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  if (errors.some(refusesShape)) throw new ValidationFailedError(toFieldErrors(errors));
  return { value, errors: fieldMessages(type, errors, response, texts) };
}

/** A field the form does not have, or a body that is not an object: the request is not the page's. */
function refusesShape(error: ValidationError): boolean {
  const constraints = Object.keys(error.constraints ?? {});
  return constraints.includes('whitelistValidation') || constraints.includes('unknownValue') || (error.children ?? []).some(refusesShape);
}

/**
 * One message per failing field: the form's own text for the constraint if it names one, else the
 * shared `forms:<constraint>` text with the rule's limits, else (a rule no page words) class-validator's message.
 */
function fieldMessages(type: FormClass<object>, errors: ValidationError[], response: Response, texts: FormTexts): FieldError[] {
  const t = pageText(localeOf(response));
  return errors.flatMap((error) => {
    const failed = Object.keys(error.constraints ?? {});
    if (!failed.length) return toFieldErrors([error]).slice(0, 1);
    const own = texts[error.property] ?? {};
    const chosen = Object.keys(own).find((name) => failed.includes(name));
    if (chosen) return [{ field: error.property, message: t(own[chosen]!, { max: limit(type, error.property, chosen) }) }];
    const constraint = failed.find((name) => hasText(`forms:${name}`));
    if (constraint) return [{ field: error.property, message: t(`forms:${constraint}`, { max: limit(type, error.property, constraint) }) }];
    return toFieldErrors([error]).slice(0, 1);
  });
}

/** The limit of a rule such as `maxLength(254)` (its last argument), for the message that states it. */
function limit(type: FormClass<object>, property: string, constraint: string): unknown {
  const metadata = getMetadataStorage()
    .getTargetValidationMetadatas(type, '', true, false)
    .find((rule) => rule.propertyName === property && rule.name === constraint);
  const args = (metadata?.constraints ?? []) as unknown[];
  return args[args.length - 1];
}
