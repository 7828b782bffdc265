import { IntersectionType } from '@nestjs/swagger';
import type { FormTexts } from '../../../common/http/form-body';
import { FormDto, NextField, TypedFields } from '../../../common/http/form.dto';
import { SignInDto } from '../../accounts/dto/sign-in.dto';

/** The sign-in form: the JSON API's rules, the login as typed (trimmed), and where to go afterwards. */
export class SignInForm extends IntersectionType(FormDto, SignInDto, NextField, TypedFields('login')) {}

/** What the page says beside an empty login or password (a password is taken as typed, spaces included). */
export const SIGN_IN_TEXTS: FormTexts = {
  login: { isString: 'account:login.enterLogin' },
  password: { isString: 'account:login.enterPassword', minLength: 'account:login.enterPassword' },
};
