export interface OutgoingEmail {
  /** The notification id: becomes `Message-ID: <id@account-center>` and `X-Notification-Id`. */
  readonly id: string;
  readonly template: string;
  readonly to: string;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

/** Hands an email to whoever delivers it (SMTP, or the development outbox). */
export interface EmailTransport {
  /** Resolves with the provider's message id; throws DeliveryError. */
  send(email: OutgoingEmail): Promise<string>;
  close(): Promise<void>;
}

export const EMAIL_TRANSPORT = Symbol('EMAIL_TRANSPORT');

export function emailHeaders(email: OutgoingEmail) {
  return {
    messageId: `<${email.id}@account-center>`,
    headers: { 'X-Notification-Id': email.id, 'X-Template': email.template },
  };
}
