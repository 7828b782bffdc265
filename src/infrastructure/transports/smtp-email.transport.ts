import addressparser from 'nodemailer/lib/addressparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { DeliveryError } from './delivery-error';
import { EmailTransport, emailHeaders, OutgoingEmail } from './email-transport';
import { composeMessage, parseSender } from './mime-message';
import { SmtpError, SmtpPool } from './smtp-client';

/** Email over a pool of SMTP connections to SMTP_URL (see SmtpPool). */
export class SmtpEmailTransport implements EmailTransport {
  private readonly pool: SmtpPool;
  /** The sender as header and envelope address; undefined (nodemailer composes) when it is not plain ASCII. */
  private readonly sender: ReturnType<typeof parseSender>;
  private readonly envelopeFrom: string;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.sender = parseSender(from);
    this.envelopeFrom = this.sender?.address ?? addressparser(from, { flatten: true })[0]?.address ?? from;
    const parsed = new URL(url);
    const secure = parsed.protocol === 'smtps:';
    this.pool = new SmtpPool({
      host: parsed.hostname,
      port: Number(parsed.port || (secure ? 465 : 587)),
      secure,
      auth: parsed.username ? { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } : undefined,
      maxConnections: 16,
      connectionTimeoutMs: 10_000,
      replyTimeoutMs: 30_000,
      idleMs: 30_000,
    });
  }

  async send(email: OutgoingEmail): Promise<string> {
    try {
      await this.pool.send({ from: this.envelopeFrom, to: email.to, raw: await this.compose(email) });
      return emailHeaders(email).messageId;
    } catch (error) {
      const { code, message } = error as Partial<SmtpError> & Error;
      // 5xx is the server's final word; 4xx and connection trouble (TLS included) are worth another attempt.
      throw new DeliveryError(`SMTP: ${message}`, code !== undefined && code >= 500);
    }
  }

  async close(): Promise<void> {
    this.pool.close();
  }

  /**
   * The message as one string: composed here for plain ASCII addresses (nodemailer's MIME tree,
   * built and streamed in a dozen chunks per message, was the largest share of a delivery's CPU),
   * by nodemailer's composer otherwise (encoded names, internationalised domains).
   */
  private async compose(email: OutgoingEmail): Promise<string> {
    const raw = this.sender && composeMessage(this.sender, email);
    if (raw !== undefined) return raw;
    const composed = await new MailComposer({
      from: this.from,
      to: email.to,
      subject: email.subject,
      html: email.html,
      text: email.text,
      textEncoding: 'base64',
      ...emailHeaders(email),
    })
      .compile()
      .build();
    return composed.toString('utf8');
  }
}
