import { createTransport, Transporter } from 'nodemailer';
import { DeliveryError } from './delivery-error';
import { EmailTransport, emailHeaders, OutgoingEmail } from './email-transport';

/** nodemailer over a pool of SMTP connections to SMTP_URL. */
export class SmtpEmailTransport implements EmailTransport {
  private readonly transporter: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    const parsed = new URL(url);
    this.transporter = createTransport({
      pool: true,
      maxConnections: 8,
      maxMessages: Infinity,
      host: parsed.hostname,
      port: Number(parsed.port || (parsed.protocol === 'smtps:' ? 465 : 587)),
      secure: parsed.protocol === 'smtps:',
      auth: parsed.username ? { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } : undefined,
      connectionTimeout: 10_000,
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
