import { connect, Socket } from 'node:net';
import { createTransport, Transporter } from 'nodemailer';
import { DeliveryError } from './delivery-error';
import { EmailTransport, emailHeaders, OutgoingEmail } from './email-transport';

const CONNECTION_TIMEOUT_MS = 10_000;

type GetSocket = (options: unknown, callback: (error: Error | null, socket?: { connection: Socket }) => void) => void;

/**
 * The pool's TCP connections, made here rather than by nodemailer for two reasons of speed:
 *
 * - TCP_NODELAY. nodemailer leaves Nagle's algorithm on, so the last small write of each
 *   message (the "." that ends DATA) waited for the server's delayed ACK: some 40 ms per
 *   message on Linux, which made every code that much later and capped a connection at about
 *   25 messages a second.
 * - One syscall per turn of the event loop. nodemailer writes a message as a dozen small
 *   chunks (headers, parts, the final dot); corking the socket until the loop comes round
 *   sends them together, which halves the writes per message.
 *
 * TLS, when asked for, is set up on top of this connection by nodemailer as before.
 */
function fastSocket(host: string, port: number, timeoutMs: number): GetSocket {
  return (_options, callback) => {
    const socket = connect({ host, port });
    socket.setNoDelay(true);
    coalesceWrites(socket);
    const fail = (error: Error) => {
      socket.destroy();
      callback(error);
    };
    socket.setTimeout(timeoutMs, () => fail(Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' })));
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.removeListener('error', fail);
      callback(null, { connection: socket });
    });
  };
}

/** Holds the socket's writes of one event-loop turn and lets them go together. */
function coalesceWrites(socket: Socket): void {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((...args: unknown[]) => {
    if (!socket.writableCorked) {
      socket.cork();
      setImmediate(() => socket.uncork());
    }
    return write(...args);
  }) as Socket['write'];
}

/** nodemailer over a pool of SMTP connections to SMTP_URL. */
export class SmtpEmailTransport implements EmailTransport {
  private readonly transporter: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    const parsed = new URL(url);
    const port = Number(parsed.port || (parsed.protocol === 'smtps:' ? 465 : 587));
    this.transporter = createTransport({
      pool: true,
      getSocket: fastSocket(parsed.hostname, port, CONNECTION_TIMEOUT_MS),
      maxConnections: 8,
      maxMessages: Infinity,
      host: parsed.hostname,
      port,
      secure: parsed.protocol === 'smtps:',
      auth: parsed.username ? { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } : undefined,
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
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
