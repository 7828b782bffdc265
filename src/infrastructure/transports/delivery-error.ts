/**
 * A transport could not hand a message over. `permanent` failures (a 5xx from SMTP, a 4xx other
 * than 429 from the SMS webhook) are not retried; everything else is.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}
