import type { Response } from 'express';
import { ValidationFailedError } from '../../../common/errors/domain-error';
import { NEW_EMAIL_TEXTS, NewEmailForm } from './new-email.form';
import { NEW_PASSWORD_TEXTS, NewPasswordForm } from './new-password.form';
import { submittedForm } from '../../../common/http/form-body';

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
