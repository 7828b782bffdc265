import { SmsSink } from './sms-sink';
import { extractCode, SmtpSink } from './smtp-sink';
import { waitFor } from './wait-for';

/** The SMTP and SMS sinks of a test app, read together: a phone number (`+...`) is the SMS sink's, anything else an email. */
export class Inbox {
  constructor(
    readonly smtp: SmtpSink,
    readonly sms: SmsSink,
  ) {}

  /** Sinks of their own, for a reliability drill that stops and restarts them; a test gets its inbox from `createTestApp({ inbox: true })`. */
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
