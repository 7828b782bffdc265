import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport, Transporter } from 'nodemailer';
import { EmailTransport, emailHeaders, OutgoingEmail } from './email-transport';
import { OutgoingSms, SmsTransport } from './sms-transport';

/** What the development outbox keeps of a message, in a `.email.json` or `.sms.json` file. */
export interface OutboxRecord {
  readonly channel: 'email' | 'sms';
  readonly messageId: string;
  readonly to: string;
  readonly template: string;
  /** Emails only. */
  readonly subject?: string;
  /** The text body of an email, or the SMS. */
  readonly body: string;
  readonly sentAt: string;
}

const RECORD_SUFFIX = { email: '.email.json', sms: '.sms.json' } as const;

/**
 * The development outbox: emails as `.eml` files (to open in a mail client) and every message
 * as a JSON record beside them, in `$DATA_DIR/outbox`; `/dev/outbox` lists the records.
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
    const info = await this.composer.sendMail({
      from: this.from,
      to: email.to,
      subject: email.subject,
      html: email.html,
      text: email.text,
      ...emailHeaders(email),
    });
    const name = `${fileStamp()}-${email.id}`;
    await writeFile(join(this.dir, `${name}.eml`), info.message as Buffer);
    await this.writeRecord(name, {
      channel: 'email',
      messageId: email.id,
      to: email.to,
      template: email.template,
      subject: email.subject,
      body: email.text,
      sentAt: new Date().toISOString(),
    });
    return `outbox:${email.id}`;
  }

  private async sendSms(sms: OutgoingSms): Promise<string> {
    await this.writeRecord(`${fileStamp()}-${sms.id}`, {
      channel: 'sms',
      messageId: sms.id,
      to: sms.to,
      template: sms.template,
      body: sms.body,
      sentAt: new Date().toISOString(),
    });
    return `outbox:${sms.id}`;
  }

  private async writeRecord(name: string, record: OutboxRecord): Promise<void> {
    await writeFile(join(this.dir, `${name}${RECORD_SUFFIX[record.channel]}`), JSON.stringify(record, null, 2));
  }
}

function fileStamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

/** The newest `limit` records of the outbox directory, newest first; unreadable files are skipped. */
export function listOutboxRecords(dir: string, limit: number): OutboxRecord[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => Object.values(RECORD_SUFFIX).some((suffix) => name.endsWith(suffix)));
  } catch {
    return [];
  }
  return names
    .sort()
    .reverse()
    .slice(0, limit)
    .flatMap((name) => {
      try {
        return [JSON.parse(readFileSync(join(dir, name), 'utf8')) as OutboxRecord];
      } catch {
        return [];
      }
    });
}
