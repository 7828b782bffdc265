import { IntersectionType } from '@nestjs/swagger';
import type { FormTexts } from '../../../../common/http/form-body';
import { FormDto, TypedFields } from '../../../../common/http/form.dto';
import { StartPasswordRecoveryDto } from './start-password-recovery.dto';

/** `/recover/password`: the login (as typed, trimmed) and where the code goes, by the JSON API's rules. */
export class RecoverPasswordForm extends IntersectionType(FormDto, StartPasswordRecoveryDto, TypedFields('login')) {}

export const RECOVER_PASSWORD_TEXTS: FormTexts = {
  login: { isString: 'recovery:start.enterLogin' },
  method: { isIn: 'recovery:start.chooseMethod' },
};
