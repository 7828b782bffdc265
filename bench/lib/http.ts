import { Agent, request } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** JSON over kept-alive loopback connections, with as little client work as possible: the load generator shares the cores. */
export class HttpClient {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: string,
    maxSockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  post(path: string, payload: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    return this.send('POST', path, payload ?? {}, headers);
  }

  /** Any method; `payload` undefined sends no body (and no Content-Type). */
  send(method: string, path: string, payload: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.baseUrl}${path}`,
        {
          method,
          agent: this.agent,
          headers: { ...(body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** POSTs and parses the JSON answer, failing on any status but `expected`. */
  async postExpecting<T>(expected: number, path: string, payload: unknown, headers: Record<string, string> = {}): Promise<T> {
    const answer = await this.post(path, payload, headers);
    if (answer.status !== expected)
      throw new Error(`POST ${path} answered ${answer.status} (expected ${expected}): ${answer.body.slice(0, 300)}`);
    return JSON.parse(answer.body) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}
