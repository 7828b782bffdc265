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

/**
 * A real SMTP server for tests (smtp-server + mailparser): records every accepted message and
 * can be told to refuse some (451, 550...) or to go away and come back on the same port.
 */
export class SmtpSink {
  readonly messages: ReceivedEmail[] = [];
  /** Every delivery attempt, accepted or refused. */
  attempts = 0;
  /**
   * `full` (default) parses every message whole (mailparser); `headers` reads only its header
   * block, for benchmarks that measure how fast mail is accepted and would otherwise spend most
   * of their CPU parsing bodies they never look at (text and html stay empty).
   */
  parsing: 'full' | 'headers' = 'full';
  private verdict: (attempt: number) => SmtpVerdict = () => undefined;
  private server?: SMTPServer;
  private port = 0;

  static async start(): Promise<SmtpSink> {
    const sink = new SmtpSink();
    await sink.listen();
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Decide the answer to each further attempt (numbered from 1 across the sink's life). */
  respondWith(verdict: (attempt: number) => SmtpVerdict): void {
    this.verdict = verdict;
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

  async waitForMessage(predicate: (message: ReceivedEmail) => boolean, timeoutMs = 10_000, description = 'an email'): Promise<ReceivedEmail> {
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
    const parsed = this.parsing === 'full' ? await simpleParser(stream) : await headerBlock(stream);
    this.attempts += 1;
    const verdict = this.verdict(this.attempts);
    if (verdict) throw Object.assign(new Error(verdict.message), { responseCode: verdict.code });
    const header = (name: string) => String(parsed.headers.get(name) ?? '');
    this.messages.push({
      to: session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()),
      from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      html: typeof parsed.html === 'string' ? parsed.html : '',
      messageId: parsed.messageId ?? '',
      notificationId: header('x-notification-id'),
      template: header('x-template'),
      headers: parsed.headers,
      receivedAt: new Date(),
    });
  }
}

/** The header fields of a message (unfolded, not decoded), its body read and dropped. */
async function headerBlock(stream: SMTPServerDataStream): Promise<Pick<ParsedMail, 'headers' | 'subject' | 'text' | 'html' | 'messageId'>> {
  let head = '';
  let complete = false;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (complete) continue;
    head += chunk.toString('latin1');
    const end = head.indexOf('\r\n\r\n');
    if (end >= 0) [head, complete] = [head.slice(0, end), true];
  }
  const headers: ParsedMail['headers'] = new Map();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const field = (name: string) => headers.get(name) as string | undefined;
  return { headers, subject: field('subject'), messageId: field('message-id'), text: undefined, html: false };
}

/** A verification code: 6 digits on a line of their own (emails), else 6 digits standing alone (SMS). */
export function extractCode(text: string): string {
  const match = /^\s*(\d{6})\s*$/m.exec(text) ?? /(?<![\d-])(\d{6})(?![\d-])/.exec(text);
  if (!match) throw new Error(`no 6-digit code in: ${text.slice(0, 200)}`);
  return match[1];
}
