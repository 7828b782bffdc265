import { simpleParser } from 'mailparser';
import { composeMessage, headerText, parseSender } from './mime-message';

describe('composeMessage', () => {
  const sender = parseSender('Account Center <no-reply@example.com>')!;
  const email = {
    id: '0b5c1a52-1b7e-4c55-9f0e-3a4b5c6d7e8f',
    template: 'password-recovery-code',
    to: 'owner@example.com',
    subject: '您的验证码：账户中心的密码找回请求，请在十分钟内使用这个验证码完成操作',
    text: `Your code:\n\n123456\n.\n${'long line '.repeat(40)}`,
    html: '<p>Your code: <b>123456</b></p>\n.\n<p>&lt;script&gt;</p>',
  };

  it('reads back, through a full MIME parser, as the headers and both parts it was given', async () => {
    const raw = composeMessage(sender, email, new Date('2026-12-07T17:00:00Z'))!;
    const parsed = await simpleParser(raw);
    expect(parsed.from?.value).toEqual([{ name: 'Account Center', address: 'no-reply@example.com' }]);
    expect(parsed.to).toMatchObject({ value: [{ address: 'owner@example.com' }] });
    expect(parsed.subject).toBe(email.subject);
    expect(parsed.messageId).toBe(`<${email.id}@account-center>`);
    expect(parsed.headers.get('x-notification-id')).toBe(email.id);
    expect(parsed.headers.get('x-template')).toBe(email.template);
    expect(parsed.date?.toISOString()).toBe('2026-12-07T17:00:00.000Z');
    expect(parsed.text?.trim()).toBe(email.text.trim());
    expect(parsed.html).toContain(email.html);
  });

  it('keeps every line within the limits of SMTP, ends lines with CRLF, and folds long encoded subjects', () => {
    const raw = composeMessage(sender, email)!;
    const lines = raw.split('\r\n');
    expect(raw).not.toMatch(/[^\r]\n/);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(78);
    expect(headerText('Code')).toBe('Code');
  });

  it('never lets a header value start a new header', async () => {
    const raw = composeMessage(sender, { ...email, subject: 'Hello\r\nBcc: someone@example.com' })!;
    expect(raw).not.toMatch(/^Bcc:/m);
    expect((await simpleParser(raw)).subject).toBe('Hello Bcc: someone@example.com');
  });

  it('leaves addresses that are not plain ASCII to nodemailer', () => {
    expect(composeMessage(sender, { ...email, to: 'owner@例え.jp' })).toBeUndefined();
    expect(composeMessage(sender, { ...email, to: 'a@b.com\r\nBcc: c@d.com' })).toBeUndefined();
    expect(parseSender('Zhōng <no-reply@example.com>')).toBeUndefined();
    expect(parseSender('no-reply@example.com')).toEqual({ header: 'no-reply@example.com', address: 'no-reply@example.com' });
  });
});
