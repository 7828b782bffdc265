import { IntersectionType } from '@nestjs/swagger';
import type { FormTexts } from '../../../common/http/form-body';
import { FormDto, TypedFields } from '../../../common/http/form.dto';
import { CodeDto } from '../../challenges/dto/code.dto';

/** A code: sent to a new email or phone, or the first one of an authenticator app (the API's rule for a code). */
export class CodeForm extends IntersectionType(FormDto, CodeDto, TypedFields('code')) {}

/** What a page says beside a code left empty. */
export const CODE_TEXTS: FormTexts = {
  code: { isString: 'account:code.enter' },
};

/** The first code of an authenticator app, left empty. */
export const TOTP_CODE_TEXTS: FormTexts = {
  code: { isString: 'account:totp.enterCode' },
};
