import { IntersectionType, OmitType } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength, ValidateIf } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';
import type { FormTexts } from '../../../common/http/form-body';
import { SameAs } from '../../../common/validation/same-as';
import { ChangePasswordDto } from '../../accounts/changes/dto/change-password.dto';
import { NEW_PASSWORD_INPUT_MAX } from '../../accounts/dto/is-new-password';

/**
 * The new logon password: the JSON API's rules (the verification token is in the `ac_verified`
 * cookie), and the page's own confirmation, typed again (the JSON API takes the password once).
 */
export class NewPasswordForm extends IntersectionType(FormDto, OmitType(ChangePasswordDto, ['verificationToken'] as const)) {
  // No rule of the page's own on `newPassword`: class-validator would then drop the inherited ones.

  /** Checked once a new password is typed (the policy words an empty one). */
  @ValidateIf((form: NewPasswordForm) => typeof form.newPassword === 'string' && form.newPassword !== '')
  @IsNotEmpty()
  @IsString()
  @MaxLength(NEW_PASSWORD_INPUT_MAX)
  @SameAs('newPassword')
  confirmPassword?: string;
}

/** What the page says beside each field for each broken rule, most important first. */
export const NEW_PASSWORD_TEXTS: FormTexts = {
  newPassword: { isString: 'account:password.enter' },
  confirmPassword: { isNotEmpty: 'common:password.confirmMissing', sameAs: 'common:password.confirmMismatch' },
};
