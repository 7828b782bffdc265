import { connect, Socket } from 'node:net';
import { createTransport, Transporter } from 'nodemailer';
import { DeliveryError } from './delivery-error';
import { EmailTransport, emailHeaders, OutgoingEmail } from './email-transport';

const CONNECTION_TIMEOUT_MS = 10_000;

/** nodemailer over a pool of SMTP connections to SMTP_URL. */
export class SmtpEmailTransport implements EmailTransport {
  private readonly transporter: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    const parsed = new URL(url);
    const host = parsed.hostname;
    const port = Number(parsed.port || (parsed.protocol === 'smtps:' ? 465 : 587));
    this.transporter = createTransport({
      pool: true,
      maxConnections: 16,
      maxMessages: Infinity,
      host,
      port,
      secure: parsed.protocol === 'smtps:',
      auth: parsed.username ? { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } : undefined,
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      getSocket: socketOpener(host, port),
    });
  }

  async send(email: OutgoingEmail): Promise<string> {
    try {
      const info = await this.transporter.sendMail({
        from: this.from,
        to: email.to,
        subject: email.subject,
        html: email.html,
        text: email.text,
        // Native base64 rather than quoted-printable, which nodemailer encodes in JavaScript (a third of its CPU per message).
        textEncoding: 'base64',
        ...emailHeaders(email),
      });
      return String(info.messageId ?? '');
    } catch (error) {
      const { responseCode, message } = error as Error & { responseCode?: number };
      // 5xx is the server's final word; 4xx and connection trouble are worth another attempt.
      throw new DeliveryError(`SMTP: ${message}`, responseCode !== undefined && responseCode >= 500);
    }
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}

/**
 * Opens each pooled connection ourselves, with Nagle's algorithm off: nodemailer writes a
 * message's final `.` line as a small separate segment, which Nagle holds back until the
 * server acknowledges the previous one, and servers delay that acknowledgement (40 ms on
 * Linux), so every message waited ~40 ms on an idle wire. (nodemailer upgrades the socket to
 * TLS itself for smtps.)
 *
 * The socket is handed over while it still connects, and a failed connect is left to
 * nodemailer's own socket handlers: they end that pooled connection and free its slot. An error
 * passed back through this callback instead fails the message but leaves the pool counting a
 * connection that never returns (nodemailer 7): once the server had been down long enough to
 * refuse every slot, the pool sent nothing ever again, even after the server came back.
 */
function socketOpener(host: string, port: number) {
  return (_options: unknown, callback: (error: Error | null, socketOptions?: { connection: Socket }) => void): void => {
    callback(null, { connection: connect({ host, port, noDelay: true }) });
  };
}
