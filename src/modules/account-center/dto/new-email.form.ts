import { IntersectionType, OmitType } from '@nestjs/swagger';
import { FormDto } from '../../../common/http/form.dto';
import type { FormTexts } from '../../../common/http/form-body';
import { StartEmailChangeDto } from '../../accounts/changes/dto/start-email-change.dto';

/** The new logon email: the JSON API's rules, the verification token being in the `ac_verified` cookie. */
export class NewEmailForm extends IntersectionType(FormDto, OmitType(StartEmailChangeDto, ['verificationToken'] as const)) {}

/** What the page says beside the field for each broken rule. */
export const NEW_EMAIL_TEXTS: FormTexts = {
  newEmail: { isEmail: 'account:contact.email.invalid' },
};
