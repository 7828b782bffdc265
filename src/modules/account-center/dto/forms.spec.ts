import type { Response } from 'express';
import { ValidationFailedError } from '../../../common/errors/domain-error';
import { NEW_EMAIL_TEXTS, NewEmailForm } from './new-email.form';
import { NEW_PASSWORD_TEXTS, NewPasswordForm } from './new-password.form';
import { FormDefaults, FormTexts, submittedForm } from '../../../common/http/form-body';
import { RECOVER_EMAIL_DEFAULTS, RECOVER_EMAIL_TEXTS, RecoverEmailForm } from '../../accounts/recovery/dto/recover-email.form';
import { ACCESS_TOKEN_RESEND_TEXTS, AccessTokenResendForm } from '../../appeals/dto/access-token-resend.form';
import { APPEAL_MESSAGE_TEXTS, AppealMessageForm } from '../../appeals/dto/appeal-message.form';
import { CODE_TEXTS, CodeForm } from './code.form';
import { NEW_PHONE_DEFAULTS, NEW_PHONE_TEXTS, NewPhoneForm } from './new-phone.form';
import { SignInCodeForm } from './sign-in-code.form';
import { SIGN_IN_TEXTS, SignInForm } from './sign-in.form';

const page = (locale: string) => ({ locals: { locale } }) as unknown as Response;

describe('submittedForm: a page form validated by the JSON API DTO it extends', () => {
  it('takes a valid body, transformed as the API transforms it', () => {
    const form = submittedForm(NewEmailForm, { _csrf: 'x', newEmail: '  lin@example.com ' }, page('en'), NEW_EMAIL_TEXTS);
    expect(form.errors).toEqual([]);
    expect(form.value.newEmail).toBe('lin@example.com');
  });

  it("words the API's email rule with the page's text, in the page's language", () => {
    expect(submittedForm(NewEmailForm, { newEmail: 'lin' }, page('en'), NEW_EMAIL_TEXTS).errors).toEqual([
      { field: 'newEmail', message: 'Enter an email address such as lin@example.com.' },
    ]);
    expect(submittedForm(NewEmailForm, { newEmail: 'lin' }, page('zh-CN'), NEW_EMAIL_TEXTS).errors).toEqual([
      { field: 'newEmail', message: '请输入邮箱地址，例如 lin@example.com。' },
    ]);
  });

  it("words a rule the form does not name with the shared text and the rule's limit", () => {
    const long = 'x'.repeat(1025);
    const body = { newPassword: long, confirmPassword: 'x' };
    expect(submittedForm(NewPasswordForm, body, page('zh-CN'), NEW_PASSWORD_TEXTS).errors).toEqual([
      { field: 'newPassword', message: '最多 1024 个字符。' },
      { field: 'confirmPassword', message: '两次输入的密码不一致：请再次输入新密码。' },
    ]);
    expect(submittedForm(NewPasswordForm, body, page('en'), NEW_PASSWORD_TEXTS).errors).toEqual([
      { field: 'newPassword', message: 'Use at most 1024 characters.' },
      { field: 'confirmPassword', message: 'The two passwords are not the same: type the new password again.' },
    ]);
  });

  it('asks for an empty password, then for the confirmation, and says when the two differ', () => {
    const errors = (body: object, locale = 'en') => submittedForm(NewPasswordForm, body, page(locale), NEW_PASSWORD_TEXTS).errors;
    expect(errors({ confirmPassword: '' })).toEqual([{ field: 'newPassword', message: 'Enter a new password.' }]);
    expect(errors({ newPassword: 'a long new passphrase 1' })).toEqual([
      { field: 'confirmPassword', message: 'Type the new password a second time.' },
    ]);
    expect(errors({ newPassword: 'a long new passphrase 1', confirmPassword: 'a long new passphrase 2' }, 'zh-CN')).toEqual([
      { field: 'confirmPassword', message: '两次输入的密码不一致：请再次输入新密码。' },
    ]);
    expect(errors({ newPassword: 'a long new passphrase 1', confirmPassword: 'a long new passphrase 1' })).toEqual([]);
  });

  it('refuses a field the form does not have, as the validation pipe does', () => {
    expect(() => submittedForm(NewPasswordForm, { newPassword: 'x', verificationToken: 'forged' }, page('en'))).toThrow(
      ValidationFailedError,
    );
  });
});

describe('page forms on the JSON DTOs they extend', () => {
  const errors = <T extends object>(type: new () => T, body: object, texts: FormTexts = {}, locale = 'en', defaults: FormDefaults = {}) =>
    submittedForm(type, body, page(locale), texts, defaults).errors;

  it('sign-in: the login is trimmed and an empty field is asked for; the password is taken as typed', () => {
    expect(errors(SignInForm, { login: '   ', password: '' }, SIGN_IN_TEXTS)).toEqual([
      { field: 'login', message: 'Enter your logon email, or <name>@<UID> for a RAM user.' },
      { field: 'password', message: 'Enter your password.' },
    ]);
    const form = submittedForm(
      SignInForm,
      { login: ' ada@example.com ', password: ' pass ', next: '/security' },
      page('en'),
      SIGN_IN_TEXTS,
    );
    expect([form.errors, form.value.login, form.value.password]).toEqual([[], 'ada@example.com', ' pass ']);
    expect(errors(SignInForm, { login: 'x'.repeat(321), password: 'p' }, SIGN_IN_TEXTS)).toEqual([
      { field: 'login', message: 'Use at most 320 characters.' },
    ]);
  });

  it('a code: empty is "enter the code", too long says its limit', () => {
    expect(errors(SignInCodeForm, { code: ' ' }, CODE_TEXTS)).toEqual([{ field: 'code', message: 'Enter the code.' }]);
    expect(errors(CodeForm, {}, CODE_TEXTS)).toEqual([{ field: 'code', message: 'Enter the code.' }]);
    expect(errors(CodeForm, { code: '1'.repeat(33) }, CODE_TEXTS)).toEqual([{ field: 'code', message: 'Use at most 32 characters.' }]);
    expect(submittedForm(CodeForm, { code: ' 123456 ' }, page('en'), CODE_TEXTS).value.code).toBe('123456');
  });

  it('a new phone is read in the chosen country (the page language’s by default) and judged by the E.164 rule', () => {
    const phone = (body: object, locale = 'en') => submittedForm(NewPhoneForm, body, page(locale), NEW_PHONE_TEXTS, NEW_PHONE_DEFAULTS);
    expect(phone({ newPhone: '139 1234 5678', country: 'CN' }).value.newPhone).toBe('+8613912345678');
    expect(phone({ newPhone: '139 1234 5678' }, 'zh-CN').value.newPhone).toBe('+8613912345678');
    expect(phone({ newPhone: '(415) 555-0134' }).value.newPhone).toBe('+14155550134');
    expect(phone({ newPhone: '12', country: 'CN' }).errors).toEqual([
      {
        field: 'newPhone',
        message: 'Enter a mobile number of the chosen country, such as 139 1234 5678, or the full number starting with +.',
      },
    ]);
  });

  it('/recover/email words an empty phone apart from a wrong one', () => {
    const remind = (body: object) => errors(RecoverEmailForm, body, RECOVER_EMAIL_TEXTS, 'en', RECOVER_EMAIL_DEFAULTS);
    expect(remind({ securePhone: '  ' })).toEqual([{ field: 'securePhone', message: 'Enter the secure phone of your account.' }]);
    expect(remind({ securePhone: '12' })[0]?.message).toMatch(/^Enter a mobile number of the chosen country/);
    expect(remind({ securePhone: '+86 139 1234 5678' })).toEqual([]);
  });

  it('the access-token resend takes the email rule of the JSON API and reads the reference in capitals', () => {
    expect(errors(AccessTokenResendForm, { reference: '', email: 'a@b' }, ACCESS_TOKEN_RESEND_TEXTS)).toEqual([
      { field: 'reference', message: 'Enter the reference of your appeal.' },
      { field: 'email', message: 'Enter the contact email you verified when you filed.' },
    ]);
    const form = submittedForm(AccessTokenResendForm, { reference: ' ap-7kq2m4xz9b ', email: ' ada@example.com ' }, page('en'));
    expect([form.errors, form.value.reference, form.value.email]).toEqual([[], 'AP-7KQ2M4XZ9B', 'ada@example.com']);
  });

  it('an appeal message: empty and too long, each with its own words', () => {
    expect(errors(AppealMessageForm, { body: '  ' }, APPEAL_MESSAGE_TEXTS)).toEqual([
      { field: 'body', message: 'Write your message first.' },
    ]);
    expect(errors(AppealMessageForm, { body: 'x'.repeat(5001) }, APPEAL_MESSAGE_TEXTS)).toEqual([
      { field: 'body', message: 'Keep the message under 5,000 characters.' },
    ]);
  });
});
