import { IntersectionType } from '@nestjs/swagger';
import type { FormTexts } from '../../../common/http/form-body';
import { FormDto, Typed } from '../../../common/http/form.dto';
import { AccessTokenResendDto } from './access-token-resend.dto';

/** The reference, as typed: trimmed and read in capitals, as it is written. */
class TypedReference {
  @Typed((text) => text.toUpperCase())
  reference?: string;
}

/** `/appeal/status/access-token`: the reference and the verified contact email, by the JSON API's rules. */
export class AccessTokenResendForm extends IntersectionType(FormDto, AccessTokenResendDto, TypedReference) {}

/** What the page says beside each field (an empty email is not one either: the same words). */
export const ACCESS_TOKEN_RESEND_TEXTS: FormTexts = {
  reference: { isString: 'appeal:open.enterResendReference' },
  email: { isEmail: 'appeal:open.enterEmail' },
};
