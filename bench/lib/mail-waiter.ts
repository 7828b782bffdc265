import { ReceivedEmail, SmtpSink } from '../../tools/smtp-sink';

export interface Expectation {
  readonly arrival: Promise<ReceivedEmail>;
  cancel(): void;
}

/**
 * Hands each email the sink accepts to whoever expects one to that address with that template,
 * first come first served. Expect before the request that causes the email: it may be faster
 * than the answer.
 */
export class MailWaiter {
  private readonly waiting = new Map<string, ((message: ReceivedEmail) => void)[]>();
  private readonly unsubscribe: () => void;

  constructor(sink: SmtpSink) {
    this.unsubscribe = sink.onMessage((message) => this.deliver(message));
  }

  /** The next email of `template` to `to`; `cancel()` withdraws the expectation (the request that would cause it failed). */
  expect(to: string, template: string, timeoutMs = 60_000): Expectation {
    const key = keyOf(to.toLowerCase(), template);
    let cancel = () => undefined as void;
    const arrival = new Promise<ReceivedEmail>((resolve, reject) => {
      const withdraw = () => {
        clearTimeout(timer);
        const queue = this.waiting.get(key);
        if (queue?.includes(receive)) queue.splice(queue.indexOf(receive), 1);
      };
      const timer = setTimeout(() => {
        withdraw();
        reject(new Error(`no ${template} email to ${to} within ${timeoutMs} ms`));
      }, timeoutMs);
      const receive = (message: ReceivedEmail) => {
        clearTimeout(timer);
        resolve(message);
      };
      cancel = withdraw;
      const queue = this.waiting.get(key) ?? [];
      queue.push(receive);
      this.waiting.set(key, queue);
    });
    return { arrival, cancel: () => cancel() };
  }

  close(): void {
    this.unsubscribe();
  }

  private deliver(message: ReceivedEmail): void {
    for (const to of message.to) {
      const key = keyOf(to, message.template);
      const queue = this.waiting.get(key);
      const receive = queue?.shift();
      if (queue && !queue.length) this.waiting.delete(key);
      if (receive) return receive(message);
    }
  }
}

function keyOf(to: string, template: string): string {
  return `${template} ${to}`;
}
