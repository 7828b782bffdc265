import { IsNotEmpty, IsString, MaxLength, ValidateIf } from 'class-validator';
import type { FormTexts } from '../../../common/http/form-body';
import { SameAs } from '../../../common/validation/same-as';
import { NEW_PASSWORD_INPUT_MAX } from './is-new-password';

/**
 * A page field beside a new password: the password typed again (the JSON API takes it once).
 * Checked once a new password is typed; an empty one is the page's to ask for.
 */
export class PasswordConfirmationField {
  @ValidateIf((form: { newPassword?: unknown }) => typeof form.newPassword === 'string' && form.newPassword !== '')
  @IsNotEmpty()
  @IsString()
  @MaxLength(NEW_PASSWORD_INPUT_MAX)
  @SameAs('newPassword')
  confirmPassword?: string;
}

/** What a page says beside a new password and its confirmation for each broken rule, most important first. */
export const NEW_PASSWORD_TEXTS: FormTexts = {
  newPassword: { isString: 'account:password.enter' },
  confirmPassword: { isNotEmpty: 'common:password.confirmMissing', sameAs: 'common:password.confirmMismatch' },
};
