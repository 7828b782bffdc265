import { IntersectionType, OmitType } from '@nestjs/swagger';
import { FormDto } from '../../../common/http/form.dto';
import { ChangePasswordDto } from '../../accounts/changes/dto/change-password.dto';
import { PasswordConfirmationField } from '../../accounts/dto/password-confirmation.field';

export { NEW_PASSWORD_TEXTS } from '../../accounts/dto/password-confirmation.field';

/**
 * The new logon password: the JSON API's rules (the verification token is in the `ac_verified`
 * cookie), and the page's own confirmation, typed again. No rule of the page's own on
 * `newPassword`: class-validator would then drop the inherited ones.
 */
export class NewPasswordForm extends IntersectionType(
  FormDto,
  OmitType(ChangePasswordDto, ['verificationToken'] as const),
  PasswordConfirmationField,
) {}
