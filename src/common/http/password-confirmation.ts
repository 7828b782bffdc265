import type { FieldError } from '../errors/domain-error';
import type { PageText } from '../i18n/page-texts';

/**
 * The message beside the confirmation of a new password typed twice (a page field: the JSON API
 * takes the password once), if the two differ or the second is missing.
 */
export function confirmationErrors(newPassword: string | undefined, confirmPassword: string | undefined, t: PageText): FieldError[] {
  if (!newPassword) return [];
  if (!confirmPassword) return [{ field: 'confirmPassword', message: t('common:password.confirmMissing') }];
  return confirmPassword === newPassword ? [] : [{ field: 'confirmPassword', message: t('common:password.confirmMismatch') }];
}
