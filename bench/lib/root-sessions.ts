import { extractCode } from '../../tools/smtp-sink';
import { HttpClient } from './http';
import { MailWaiter } from './mail-waiter';
import { BenchSystem } from './system';

const PASSWORD = 'bench password 0123456789';
/** 10 codes an hour per account (docs/product.md), one of which went to the sign-in from the bench's new device. */
export const CODES_PER_ACCOUNT = 9;
const CONCURRENCY = 8;

export interface RootSession {
  readonly email: string;
  readonly token: string;
  /** Codes the account may still be sent this hour. */
  budget: number;
}

/** What a benchmark that asks for codes works with: an HTTP client, the sink's mail, a pool of root sessions. */
export interface CodeClients {
  readonly http: HttpClient;
  readonly mail: MailWaiter;
  readonly pool: RootSessionPool;
  close(): void;
}

export function codeClients(system: BenchSystem, sockets: number, prefix: string): CodeClients {
  const http = new HttpClient(system.baseUrl, sockets);
  const mail = new MailWaiter(system.smtp);
  return {
    http,
    mail,
    pool: new RootSessionPool(system, http, mail, prefix),
    close: () => {
      mail.close();
      http.close();
    },
  };
}

/**
 * Root sessions of fresh accounts, for benchmarks that ask for codes: the per-account send limit
 * holds in the benchmarks as everywhere, so a run at hundreds of codes a second needs hundreds
 * of accounts. Each signs in from a new device and answers the emailed sign-in code, as a
 * person would.
 */
export class RootSessionPool {
  private readonly sessions: RootSession[] = [];
  private next = 0;
  private created = 0;
  private readonly stamp: string;

  constructor(
    private readonly system: BenchSystem,
    private readonly http: HttpClient,
    private readonly mail: MailWaiter,
    prefix: string,
  ) {
    this.stamp = `${prefix}-${Date.now().toString(36)}`;
  }

  /** Codes the pool may still send. */
  get codesLeft(): number {
    return this.sessions.reduce((sum, session) => sum + session.budget, 0);
  }

  /** Adds accounts until the pool may send `codes` more codes than now. */
  async add(codes: number): Promise<void> {
    let missing = Math.ceil(codes / CODES_PER_ACCOUNT);
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, missing) }, async () => {
        while (missing > 0) {
          missing -= 1;
          this.sessions.push(await this.signInNewAccount((this.created += 1)));
        }
      }),
    );
  }

  /** The next session with a code left to send, round robin (so no account has two codes in flight), or undefined when all are spent. */
  take(): RootSession | undefined {
    for (let tried = 0; tried < this.sessions.length; tried += 1) {
      const session = this.sessions[this.next];
      this.next = (this.next + 1) % this.sessions.length;
      if (session.budget > 0) {
        session.budget -= 1;
        return session;
      }
    }
    return undefined;
  }

  private async signInNewAccount(n: number): Promise<RootSession> {
    const email = `${this.stamp}-${n}@example.com`;
    const deviceId = `bench-device-${this.stamp}-${n}`;
    await this.http.postExpecting(
      201,
      '/api/admin/accounts',
      { logonEmail: email, password: PASSWORD },
      { Authorization: `Bearer ${this.system.adminToken}` },
    );
    const mailed = this.mail.expect(email, 'sign-in-code');
    const { challengeId } = await this.http.postExpecting<{ challengeId: string }>(
      202,
      '/api/v1/sessions',
      { login: email, password: PASSWORD },
      { 'X-Device-Id': deviceId },
    );
    const code = extractCode((await mailed.arrival).text);
    const { token } = await this.http.postExpecting<{ token: string }>(
      201,
      '/api/v1/sessions/secondary',
      { challengeId, code },
      { 'X-Device-Id': deviceId },
    );
    return { email, token, budget: CODES_PER_ACCOUNT };
  }
}
