import { NobleCryptoPlugin, ScureBase32Plugin, TOTP } from 'otplib';
import { Clock } from '../../src/common/clock';
import { api, bearer } from './factories';
import { SmsSink } from './sms-sink';
import { extractCode, SmtpSink } from './smtp-sink';
import { createTestApp, TestApp } from './test-app';
import { waitFor } from './wait-for';

/** The SMTP and SMS sinks of a test app, read together: a phone number (`+...`) is the SMS sink's, anything else an email. */
export class Inbox {
  constructor(
    readonly smtp: SmtpSink,
    readonly sms: SmsSink,
  ) {}

  static async start(): Promise<Inbox> {
    return new Inbox(await SmtpSink.start(), await SmsSink.start());
  }

  /** Environment for a test app that delivers to these sinks. */
  get env(): Record<string, string> {
    return { SMTP_URL: this.smtp.url, ...this.sms.env };
  }

  async stop(): Promise<void> {
    await this.smtp.stop();
    await this.sms.stop();
  }

  /** Messages of `template` received for `to`, oldest first: `{ text, template }` for both channels. */
  received(to: string, template?: string): { text: string; template: string }[] {
    const all = to.startsWith('+')
      ? this.sms.to(to).map((message) => ({ text: message.body, template: message.template }))
      : this.smtp.to(to).map(({ text, template }) => ({ text, template }));
    return all.filter((message) => !template || message.template === template);
  }

  /** Waits for the `count`-th message of `template` to `to` and returns it. */
  async nth(to: string, template: string, count: number): Promise<{ text: string; template: string }> {
    return waitFor(() => this.received(to, template)[count - 1], { description: `message ${count} (${template}) to ${to}` });
  }

  /** Runs `action`, then waits for the new message of `template` it sends to `to` and returns the code in it. */
  async codeAfter<T>(to: string, template: string, action: () => Promise<T>): Promise<{ result: T; code: string }> {
    const before = this.received(to, template).length;
    const result = await action();
    const message = await this.nth(to, template, before + 1);
    return { result, code: extractCode(message.text) };
  }

  /** The newest message of `template` to `to`, waiting for one. */
  async latest(to: string, template: string): Promise<{ text: string; template: string }> {
    return waitFor(() => this.received(to, template).at(-1), { description: `a message (${template}) to ${to}` });
  }
}

/** A test app that delivers to sinks of its own; `close` stops all three. */
export async function appWithInbox(env: Record<string, string> = {}): Promise<{ t: TestApp; inbox: Inbox; close(): Promise<void> }> {
  const inbox = await Inbox.start();
  const t = await createTestApp({ env: { ...inbox.env, ...env } });
  return {
    t,
    inbox,
    close: async () => {
      await t.close();
      await inbox.stop();
    },
  };
}

const totp = new TOTP({ algorithm: 'sha1', digits: 6, period: 30, crypto: new NobleCryptoPlugin(), base32: new ScureBase32Plugin() });

/** The TOTP code of `secret` at the app's current time, `steps` periods later (negative: earlier). */
export function totpCode(t: TestApp, secret: string, steps = 0): Promise<string> {
  return totp.generate({ secret, epoch: Math.floor(t.get(Clock).nowMs() / 1000) + steps * 30 });
}

export type VerificationPurpose =
  | 'change_password'
  | 'change_email'
  | 'change_phone'
  | 'enable_totp'
  | 'disable_totp'
  | 'add_passkey'
  | 'remove_passkey'
  | 'stop_appeal';

/**
 * Verifies the identity of the session's owner through the API and returns the verification
 * token: by SMS to `via` (a phone), by email to `via` (an address), or by TOTP with
 * `via.totpSecret` (the code of the current step, or `steps` later: a step is accepted once).
 */
export async function verificationToken(
  t: TestApp,
  inbox: Inbox,
  token: string,
  purpose: VerificationPurpose,
  via: string | { totpSecret: string; steps?: number },
): Promise<string> {
  const verify = async (id: string, code: string) =>
    (await api(t).post(`/api/v1/verifications/${id}/verify`).set(bearer(token)).send({ code }).expect(200)).body
      .verificationToken as string;
  if (typeof via !== 'string') {
    const started = await api(t).post('/api/v1/verifications').set(bearer(token)).send({ purpose, method: 'totp' }).expect(201);
    return verify(started.body.id as string, await totpCode(t, via.totpSecret, via.steps));
  }
  const method = via.startsWith('+') ? 'sms' : 'email';
  const { result, code } = await inbox.codeAfter(via, 'verification-code', () =>
    api(t).post('/api/v1/verifications').set(bearer(token)).send({ purpose, method }).expect(201),
  );
  return verify(result.body.id as string, code);
}
