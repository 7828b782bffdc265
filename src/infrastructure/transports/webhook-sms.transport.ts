import { createHmac } from 'node:crypto';
import { DeliveryError } from './delivery-error';
import { OutgoingSms, SmsTransport } from './sms-transport';

const TIMEOUT_MS = 10_000;

/**
 * The SMS provider's webhook as docs/api.md fixes it: JSON `{ messageId, to, body, template }` with
 * `X-Signature: sha256=<HMAC-SHA256 of the raw body>`. 2xx accepted; 429, 5xx or no answer in
 * 10 s retried; any other 4xx is final.
 */
export class WebhookSmsTransport implements SmsTransport {
  constructor(
    private readonly url: string,
    private readonly secret: string,
  ) {}

  async send(sms: OutgoingSms): Promise<string> {
    const body = JSON.stringify({ messageId: sms.id, to: sms.to, body: sms.body, template: sms.template });
    const signature = createHmac('sha256', this.secret).update(body).digest('hex');
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Signature': `sha256=${signature}` },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new DeliveryError(
        `SMS webhook: ${(error as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : (error as Error).message}`,
        false,
      );
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return providerId(text) ?? sms.id;
    const retryable = response.status === 429 || response.status >= 500;
    throw new DeliveryError(`SMS webhook answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`, !retryable);
  }
}

function providerId(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { id?: unknown; messageId?: unknown };
    const id = parsed.id ?? parsed.messageId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
