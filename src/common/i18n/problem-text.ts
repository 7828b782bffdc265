import { DomainError } from '../errors/domain-error';
import type { Locale } from '../locales';
import { hasText, translate } from './page-texts';

interface Violation {
  readonly rule: string;
  readonly message: string;
}

/**
 * A refused request worded for the page's reader. English pages show the service's own detail
 * (written for people already); other locales show `problems:<CODE>` (or a variant of it: no
 * attempts left, an account-wide lock, each password rule), with the numbers of the problem.
 */
export function problemText(locale: Locale, error: DomainError): string {
  const violations = (error.extras.violations as readonly Violation[] | undefined) ?? [];
  if (locale === 'en') return violations.length ? violations.map((violation) => violation.message).join(' ') : error.detail;
  if (violations.length) return violations.map((violation) => translate(locale, `problems:password.${violation.rule}`)).join(' ');
  const attempts = error.extras.attemptsRemaining;
  const variant =
    error.code === 'VERIFICATION_CODE_INVALID' && attempts === 0
      ? '_none'
      : error.code === 'VERIFICATION_LOCKED' && error.retryAfterSeconds !== undefined
        ? '_account'
        : '';
  const key = `problems:${error.code}${variant}`;
  if (!hasText(key)) return error.detail;
  return translate(locale, key, { attempts: typeof attempts === 'number' ? attempts : undefined, seconds: error.retryAfterSeconds });
}
