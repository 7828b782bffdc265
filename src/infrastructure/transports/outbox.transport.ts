import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport, Transporter } from 'nodemailer';
import { EmailTransport, emailHeaders, OutgoingEmail } from './email-transport';
import { OutgoingSms, SmsTransport } from './sms-transport';

/**
 * The development outbox: emails as `.eml` files and SMS as `.sms.json` files in
 * `$DATA_DIR/outbox`, listed (with their codes) at `/dev/outbox`.
 */
export class OutboxTransport implements EmailTransport, SmsTransport {
  private readonly composer: Transporter;

  constructor(
    private readonly dir: string,
    private readonly from: string,
  ) {
    mkdirSync(dir, { recursive: true });
    this.composer = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  async send(message: OutgoingEmail | OutgoingSms): Promise<string> {
    return 'subject' in message ? this.sendEmail(message) : this.sendSms(message);
  }

  async close(): Promise<void> {
    this.composer.close();
  }

  private async sendEmail(email: OutgoingEmail): Promise<string> {
    const info = await this.composer.sendMail({ from: this.from, to: email.to, subject: email.subject, html: email.html, text: email.text, ...emailHeaders(email) });
    await writeFile(join(this.dir, `${fileStamp()}-${email.id}.eml`), info.message as Buffer);
    return `outbox:${email.id}`;
  }

  private async sendSms(sms: OutgoingSms): Promise<string> {
    const record = { messageId: sms.id, to: sms.to, body: sms.body, template: sms.template, sentAt: new Date().toISOString() };
    await writeFile(join(this.dir, `${fileStamp()}-${sms.id}.sms.json`), JSON.stringify(record, null, 2));
    return `outbox:${sms.id}`;
  }
}

function fileStamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

/** The newest `limit` files of the outbox directory, newest first. */
export function listOutboxFiles(dir: string, limit: number): { name: string; content: string }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.eml') || name.endsWith('.sms.json'));
  } catch {
    return [];
  }
  return names
    .sort()
    .reverse()
    .slice(0, limit)
    .map((name) => ({ name, content: readFileSync(join(dir, name), 'utf8') }));
}
