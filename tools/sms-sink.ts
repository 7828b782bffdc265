import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { extractCode } from './smtp-sink';
import { waitFor } from './wait-for';

export interface ReceivedSms {
  readonly messageId: string;
  readonly to: string;
  readonly body: string;
  readonly template: string;
  readonly receivedAt: Date;
}

/**
 * The SMS provider's webhook as tests see it: checks the `X-Signature` of every request, records
 * the accepted messages, and answers what the test says (200 by default; 500, 429, 400...).
 */
export class SmsSink {
  readonly messages: ReceivedSms[] = [];
  readonly badSignatures: string[] = [];
  attempts = 0;
  private status: (attempt: number, message: ReceivedSms) => number = () => 200;
  private server?: Server;
  private port = 0;

  private constructor(readonly secret: string) {}

  static async start(secret = 'sms-webhook-secret-for-tests'): Promise<SmsSink> {
    const sink = new SmsSink(secret);
    await sink.listen();
    return sink;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/sms`;
  }

  /** Environment for an app that should send SMS here. */
  get env(): Record<string, string> {
    return { SMS_PROVIDER: 'webhook', SMS_WEBHOOK_URL: this.url, SMS_WEBHOOK_SECRET: this.secret };
  }

  respondWith(status: (attempt: number, message: ReceivedSms) => number): void {
    this.status = status;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  clear(): void {
    this.messages.length = 0;
  }

  to(phone: string): ReceivedSms[] {
    return this.messages.filter((message) => message.to === phone);
  }

  async latest(phone: string, template?: string, timeoutMs = 10_000): Promise<ReceivedSms> {
    return waitFor(
      () => [...this.messages].reverse().find((message) => message.to === phone && (!template || message.template === template)),
      {
        timeoutMs,
        description: `an SMS${template ? ` (${template})` : ''} to ${phone}`,
      },
    );
  }

  async codeFor(phone: string, template?: string, timeoutMs = 10_000): Promise<string> {
    return extractCode((await this.latest(phone, template, timeoutMs)).body);
  }

  private async listen(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', () => resolve()));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const expected = `sha256=${createHmac('sha256', this.secret).update(raw).digest('hex')}`;
    const given = String(req.headers['x-signature'] ?? '');
    if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
      this.badSignatures.push(given);
      res.writeHead(401).end();
      return;
    }
    const parsed = JSON.parse(raw.toString('utf8')) as Omit<ReceivedSms, 'receivedAt'>;
    const message: ReceivedSms = { ...parsed, receivedAt: new Date() };
    this.attempts += 1;
    const status = this.status(this.attempts, message);
    if (status >= 200 && status < 300) this.messages.push(message);
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: message.messageId }));
  }
}
