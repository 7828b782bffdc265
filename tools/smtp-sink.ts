import { ParsedMail, simpleParser } from 'mailparser';
import { AddressInfo } from 'node:net';
import { SMTPServer, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { waitFor } from './wait-for';

export interface ReceivedEmail {
  readonly to: string[];
  readonly from: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly messageId: string;
  /** `X-Notification-Id` and `X-Template`. */
  readonly notificationId: string;
  readonly template: string;
  readonly headers: ParsedMail['headers'];
  readonly receivedAt: Date;
}

/** What the sink answers to a message: accept it (undefined) or refuse it with an SMTP code. */
export type SmtpVerdict = undefined | { code: number; message: string };

/** What a verdict may look at: the message's `X-Notification-Id` (several attempts of one message share it) and its recipients. */
export interface SmtpAttempt {
  readonly notificationId: string;
  readonly to: string[];
}

/**
 * A real SMTP server for tests (smtp-server + mailparser): records every accepted message and
 * can be told to refuse some (451, 550...) or to go away and come back on the same port.
 */
export class SmtpSink {
  readonly messages: ReceivedEmail[] = [];
  /** Every delivery attempt, accepted or refused. */
  attempts = 0;
  private verdict: (attempt: number, message: SmtpAttempt) => SmtpVerdict = () => undefined;
  private readonly listeners: ((message: ReceivedEmail) => void)[] = [];
  private server?: SMTPServer;
  private port = 0;

  /**
   * `parse: false` reads only the headers the sink reports and the plain-text part (so codes are
   * still found), without mailparser: benchmarks spare the load generator that work, which would
   * otherwise compete with the service for the same cores. It can be switched between runs.
   */
  static async start(options: { parse?: boolean } = {}): Promise<SmtpSink> {
    const sink = new SmtpSink(options.parse ?? true);
    await sink.listen();
    return sink;
  }

  private constructor(public parse: boolean) {}

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Decide the answer to each further attempt (numbered from 1 across the sink's life). */
  respondWith(verdict: (attempt: number, message: SmtpAttempt) => SmtpVerdict): void {
    this.verdict = verdict;
  }

  /** Calls `listener` with every message accepted from now on, until the returned function is called (benchmarks time arrivals this way). */
  onMessage(listener: (message: ReceivedEmail) => void): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  /** Stop listening and drop open connections (new ones refused) until `up()`. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async up(): Promise<void> {
    if (!this.server) await this.listen();
  }

  async stop(): Promise<void> {
    await this.down();
  }

  clear(): void {
    this.messages.length = 0;
  }

  to(address: string): ReceivedEmail[] {
    const wanted = address.toLowerCase();
    return this.messages.filter((message) => message.to.includes(wanted));
  }

  async waitForMessage(
    predicate: (message: ReceivedEmail) => boolean,
    timeoutMs = 10_000,
    description = 'an email',
  ): Promise<ReceivedEmail> {
    return waitFor(() => this.messages.find(predicate), { timeoutMs, description });
  }

  /** The newest message to `address` (optionally of one template), waiting for it to arrive. */
  async latest(address: string, template?: string, timeoutMs = 10_000): Promise<ReceivedEmail> {
    const wanted = address.toLowerCase();
    return waitFor(
      () => [...this.messages].reverse().find((message) => message.to.includes(wanted) && (!template || message.template === template)),
      { timeoutMs, description: `an email${template ? ` (${template})` : ''} to ${address}` },
    );
  }

  /** The 6-digit code in the newest message to `address` (of `template`, if given), waiting for it. */
  async codeFor(address: string, template?: string, timeoutMs = 10_000): Promise<string> {
    return extractCode((await this.latest(address, template, timeoutMs)).text);
  }

  private async listen(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 10 * 1024 * 1024,
      // down() cuts open connections (421) at once instead of letting a client's pooled ones go on for 30 s.
      closeTimeout: 50,
      onData: (stream: SMTPServerDataStream, session: SMTPServerSession, callback: (error?: Error | null) => void) => {
        this.receive(stream, session).then(
          () => callback(),
          (error: Error & { responseCode?: number }) => callback(error),
        );
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    // The message is held once its data is in: parsing it is the sink's own work.
    const receivedAt = new Date();
    const raw = Buffer.concat(chunks);
    this.attempts += 1;
    const to = session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase());
    const verdict = this.verdict(this.attempts, { notificationId: headerOf(raw, 'X-Notification-Id'), to });
    if (verdict) throw Object.assign(new Error(verdict.message), { responseCode: verdict.code });
    const envelope = {
      to,
      from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      receivedAt,
    };
    if (this.parse) {
      const parsed = await simpleParser(raw);
      const header = (name: string) => String(parsed.headers.get(name) ?? '');
      this.messages.push({
        ...envelope,
        subject: parsed.subject ?? '',
        text: parsed.text ?? '',
        html: typeof parsed.html === 'string' ? parsed.html : '',
        messageId: parsed.messageId ?? '',
        notificationId: header('x-notification-id'),
        template: header('x-template'),
        headers: parsed.headers,
      });
    } else {
      const source = raw.toString('utf8');
      const header = (name: string) => new RegExp(`^${name}: *(.*)$`, 'im').exec(source)?.[1].trim() ?? '';
      this.messages.push({
        ...envelope,
        subject: '',
        text: plainText(source),
        html: '',
        messageId: header('Message-ID'),
        notificationId: header('X-Notification-Id'),
        template: header('X-Template'),
        headers: new Map(),
      });
    }
    const message = this.messages[this.messages.length - 1];
    for (const listener of this.listeners) listener(message);
  }
}

/** One header of a raw message, read from its header block only. */
function headerOf(raw: Buffer, name: string): string {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
  return new RegExp(`^${name}: *(.*)$`, 'im').exec(head)?.[1].trim() ?? '';
}

/** The text/plain part of a raw message, decoded when it is base64 (as the service sends it); else the whole source. */
function plainText(source: string): string {
  const part = /Content-Type: text\/plain[^\r\n]*\r?\n((?:[^\r\n]+\r?\n)*?)\r?\n([\s\S]*?)(?:\r?\n--|$)/i.exec(source);
  if (!part) return source;
  return /Content-Transfer-Encoding: *base64/i.test(part[1])
    ? Buffer.from(part[2].replace(/\s+/g, ''), 'base64').toString('utf8')
    : part[2];
}

/** A verification code: 6 digits on a line of their own (emails), else 6 digits standing alone (SMS). */
export function extractCode(text: string): string {
  const match = /^\s*(\d{6})\s*$/m.exec(text) ?? /(?<![\d-])(\d{6})(?![\d-])/.exec(text);
  if (!match) throw new Error(`no 6-digit code in: ${text.slice(0, 200)}`);
  return match[1];
}
