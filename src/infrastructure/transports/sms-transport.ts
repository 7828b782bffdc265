export interface OutgoingSms {
  readonly id: string;
  readonly template: string;
  /** E.164. */
  readonly to: string;
  readonly body: string;
}

/** Hands an SMS to the provider (signed webhook, or the development outbox). */
export interface SmsTransport {
  /** Resolves with the provider's message id; throws DeliveryError. */
  send(sms: OutgoingSms): Promise<string>;
}

export const SMS_TRANSPORT = Symbol('SMS_TRANSPORT');
