import { connect, Socket } from 'node:net';
import { createTransport, Transporter } from 'nodemailer';
import { DeliveryError } from './delivery-error';
import { EmailTransport, emailHeaders, OutgoingEmail } from './email-transport';
import { composeMessage, parseSender } from './mime-message';

const CONNECTION_TIMEOUT_MS = 10_000;

/** nodemailer over a pool of SMTP connections to SMTP_URL. */
export class SmtpEmailTransport implements EmailTransport {
  private readonly transporter: Transporter;
  /** The sender as header and envelope address; undefined (nodemailer composes) when it is not plain ASCII. */
  private readonly sender: ReturnType<typeof parseSender>;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.sender = parseSender(from);
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
      // The message composed in one string and handed over whole: nodemailer's MIME tree, built
      // and streamed in a dozen chunks per message, was the largest share of a delivery's CPU.
      const raw = this.sender && composeMessage(this.sender, email);
      if (raw !== undefined && this.sender) {
        await this.transporter.sendMail({ envelope: { from: this.sender.address, to: [email.to] }, raw });
        return emailHeaders(email).messageId;
      }
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
    callback(null, { connection: coalescingWrites(connect({ host, port, noDelay: true })) });
  };
}

/**
 * Sends each message's DATA phase as one system call. nodemailer writes a message as a dozen
 * chunks (headers, each MIME part's header, body and boundary, the final `.`), each its own
 * write, over several turns of the event loop: about 15 system calls per message, the largest
 * share of the service's socket writes per email. After the `DATA` command the socket is corked
 * until the message's terminating `.` line has been written, or its buffer fills (the stream then
 * waits for it to drain), or CORK_LIMIT_MS pass (a message whose stream stalls); the commands,
 * each of which waits for its reply, are written as before.
 */
export function coalescingWrites(socket: Socket): Socket {
  let afterData = false;
  let corked: NodeJS.Timeout | undefined;
  const uncork = () => {
    if (!corked) return;
    clearTimeout(corked);
    corked = undefined;
    socket.uncork();
  };
  const write = socket.write.bind(socket) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
  socket.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (afterData && !corked) {
      afterData = false;
      socket.cork();
      corked = setTimeout(uncork, CORK_LIMIT_MS);
    }
    const flushed = write(chunk, ...rest);
    if (!corked) afterData = typeof chunk !== 'string' && DATA_COMMAND.equals(chunk);
    else if (!flushed || (typeof chunk !== 'string' && MESSAGE_ENDS.some((end) => end.equals(chunk)))) uncork();
    return flushed;
  }) as Socket['write'];
  socket.once('close', uncork);
  return socket;
}

const CORK_LIMIT_MS = 50;
const DATA_COMMAND = Buffer.from('DATA\r\n');
/** nodemailer's DataStream ends a message with a chunk of its own, one of these (dots inside a message are doubled). */
const MESSAGE_ENDS = ['.\r\n', '\n.\r\n', '\r\n.\r\n'].map((end) => Buffer.from(end));
