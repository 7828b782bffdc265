import type { Response } from 'express';
import { DomainError } from '../errors/domain-error';
import { localeOf } from './page-locale';
import { pageText, type PageText } from './page-texts';
import { problemText } from './problem-text';

/** `t(key, vars)` in the language of this response's page: titles, flashes and form messages of a page controller. */
export function textsFor(response: Response): PageText {
  return pageText(localeOf(response));
}

/** A refusal worded for this response's reader (see `problemText`). */
export function problemFor(response: Response, error: DomainError): string {
  return problemText(localeOf(response), error);
}
