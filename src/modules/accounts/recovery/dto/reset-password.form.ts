import { IntersectionType } from '@nestjs/swagger';
import type { FormTexts } from '../../../../common/http/form-body';
import { FormDto } from '../../../../common/http/form.dto';
import { NEW_PASSWORD_TEXTS, PasswordConfirmationField } from '../../dto/password-confirmation.field';
import { ResetPasswordDto } from './reset-password.dto';

/** `/recover/password/:id`: the JSON API's rules (the code and the new password), and the page's own confirmation. */
export class ResetPasswordForm extends IntersectionType(FormDto, ResetPasswordDto, PasswordConfirmationField) {}

/** What the page says beside each field for each broken rule (an empty field is asked for by the page). */
export const RESET_PASSWORD_TEXTS: FormTexts = {
  ...NEW_PASSWORD_TEXTS,
  code: { isString: 'recovery:code.enterCode' },
  newPassword: { isString: 'recovery:code.choosePassword' },
};
