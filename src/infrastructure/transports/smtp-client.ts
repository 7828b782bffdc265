import { connect as connectTcp, Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as connectTls, TLSSocket } from 'node:tls';
import { domainToASCII } from 'node:url';

/** Where the pool connects, and as whom. */
export interface SmtpServerOptions {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (`smtps://`); otherwise STARTTLS whenever the server offers it. */
  readonly secure: boolean;
  readonly auth?: { readonly user: string; readonly pass: string };
  /** Connections open at most at once. */
  readonly maxConnections: number;
  readonly connectionTimeoutMs: number;
  /** How long a reply may take before the connection is given up. */
  readonly replyTimeoutMs: number;
  /** An idle connection is closed (QUIT) after this long. */
  readonly idleMs: number;
}

/** What goes out: the envelope and the whole RFC 5322 message (CRLF line ends). */
export interface SmtpMessage {
  readonly from: string;
  readonly to: string;
  readonly raw: string;
}

/** A refusal or a broken conversation; `code` is the server's reply code when it gave one. Messages say what failed, not that it was SMTP. */
export class SmtpError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'SmtpError';
  }
}

interface Reply {
  readonly code: number;
  readonly lines: string[];
}

interface Pending {
  readonly message: SmtpMessage;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * A pool of SMTP connections that sends each message in two writes: `MAIL FROM`, `RCPT TO` and
 * `DATA` together (RFC 2920 pipelining, when the server offers it; one at a time otherwise), then
 * the dot-stuffed message with its final dot line once the server has said 354. nodemailer sends
 * the three commands one round trip at a time and streams the message in chunks: four writes and
 * four round trips per message, which were a third of a delivery worker's CPU.
 *
 * Each connection works through its own queue, one message at a time; a message goes to an idle
 * connection, else to a new one while fewer than `maxConnections` are open, else to the shortest
 * queue. A connection that breaks fails the messages in its queue (a transient failure: the
 * caller retries them); a refusal fails only its message, and the connection goes on.
 */
export class SmtpPool {
  private readonly connections = new Set<SmtpConnection>();
  private closed = false;

  constructor(private readonly options: SmtpServerOptions) {}

  send(message: SmtpMessage): Promise<void> {
    if (this.closed) return Promise.reject(new SmtpError('the pool is closed'));
    // An address is one line of the conversation: nothing in it may end the line or the brackets.
    if (/[\r\n<>]/.test(message.from + message.to)) return Promise.reject(new SmtpError('an envelope address is malformed', 553));
    return new Promise<void>((resolve, reject) => this.pick().enqueue({ message, resolve, reject }));
  }

  close(): void {
    this.closed = true;
    for (const connection of this.connections) connection.quit();
  }

  private pick(): SmtpConnection {
    let shortest: SmtpConnection | undefined;
    for (const connection of this.connections) {
      if (connection.load === 0) return connection;
      if (!shortest || connection.load < shortest.load) shortest = connection;
    }
    if (shortest && this.connections.size >= this.options.maxConnections) return shortest;
    const connection = new SmtpConnection(this.options, () => this.connections.delete(connection));
    this.connections.add(connection);
    return connection;
  }
}

/** One conversation with the server: opened at once, closed when idle, broken on any trouble. */
class SmtpConnection {
  private socket: Socket | TLSSocket;
  private readonly queue: Pending[] = [];
  private busy = false;
  private ready = false;
  private ended = false;
  private pipelining = false;
  private utf8 = false;
  private input = '';
  private lines: string[] = [];
  private readonly replies: Reply[] = [];
  private waiting?: { resolve(reply: Reply): void; reject(error: Error): void };
  private idle?: NodeJS.Timeout;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly options: SmtpServerOptions,
    private readonly onEnd: () => void,
  ) {
    this.socket = this.open();
    void this.start();
  }

  /** Messages queued or in hand. */
  get load(): number {
    return this.queue.length + (this.busy ? 1 : 0);
  }

  enqueue(pending: Pending): void {
    if (this.ended) return pending.reject(new SmtpError('the connection closed'));
    this.queue.push(pending);
    if (this.ready) void this.drain();
  }

  /** Ends the conversation: politely (QUIT) when nothing is in hand, at once otherwise. */
  quit(): void {
    const polite = this.ready && !this.busy && !this.queue.length;
    this.end(new SmtpError('the pool is closed'), polite);
  }

  private open(): Socket | TLSSocket {
    const { host, port, secure } = this.options;
    const socket = secure ? connectTls({ host, port, servername: host }) : connectTcp({ host, port, noDelay: true });
    socket.setNoDelay(true);
    return this.listen(socket);
  }

  private listen<T extends Socket>(socket: T): T {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.read(chunk));
    socket.on('error', (error: Error) => this.end(new SmtpError(`connection: ${error.message}`)));
    socket.on('close', () => this.end(new SmtpError('the server closed the connection')));
    return socket;
  }

  private async start(): Promise<void> {
    try {
      const greeting = await this.reply(this.options.connectionTimeoutMs);
      if (greeting.code !== 220) throw refusal('the greeting', greeting);
      let features = await this.hello();
      if (!this.options.secure && features.has('STARTTLS')) {
        await this.command('STARTTLS', 220);
        await this.upgrade();
        features = await this.hello();
      }
      if (this.options.auth) await this.authenticate(features);
      this.pipelining = features.has('PIPELINING');
      this.utf8 = features.has('SMTPUTF8');
      this.ready = true;
      await this.drain();
    } catch (error) {
      this.end(error as Error);
    }
  }

  private async hello(): Promise<Set<string>> {
    const name = hostname() || 'localhost';
    let reply: Reply;
    try {
      reply = await this.command(`EHLO ${name}`, 250);
    } catch (error) {
      if (!(error instanceof SmtpError) || error.code === undefined) throw error;
      reply = await this.command(`HELO ${name}`, 250);
    }
    return new Set(reply.lines.slice(1).map((line) => line.toUpperCase()));
  }

  /** STARTTLS: the same socket wrapped in TLS, the server's certificate checked as for `smtps://`. */
  private upgrade(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    plain.on('error', () => undefined);
    return new Promise<void>((resolve, reject) => {
      const secured = connectTls({ socket: plain, servername: this.options.host }, () => resolve());
      secured.once('error', reject);
      this.socket = this.listen(secured);
    });
  }

  private async authenticate(features: Set<string>): Promise<void> {
    const { user, pass } = this.options.auth!;
    const methods = [...features].find((feature) => feature.startsWith('AUTH'))?.split(/[ =]/) ?? [];
    if (!methods.includes('PLAIN') && methods.includes('LOGIN')) {
      await this.command('AUTH LOGIN', 334);
      // The refusal names the step, never what was sent: an error message is logged and stored.
      await this.command(Buffer.from(user).toString('base64'), 334, 'AUTH LOGIN user name');
      await this.command(Buffer.from(pass).toString('base64'), 235, 'AUTH LOGIN password');
      return;
    }
    await this.command(`AUTH PLAIN ${Buffer.from(`\0${user}\0${pass}`).toString('base64')}`, 235);
  }

  private async drain(): Promise<void> {
    if (this.busy || !this.ready) return;
    this.busy = true;
    clearTimeout(this.idle);
    try {
      for (let next = this.queue.shift(); next && !this.ended; next = this.queue.shift()) {
        try {
          await this.transfer(next.message);
          next.resolve();
        } catch (error) {
          next.reject(error as Error);
          // A refusal leaves the conversation where it was; anything else has ended it.
          if (!(error instanceof SmtpError && error.code !== undefined)) throw error;
        }
      }
    } catch (error) {
      this.end(error as Error);
    } finally {
      this.busy = false;
    }
    // An idle connection does not keep a process alive that has nothing else to do.
    if (!this.ended) this.idle = setTimeout(() => this.quit(), this.options.idleMs).unref();
  }

  private async transfer(message: SmtpMessage): Promise<void> {
    const [from, to] = [envelopeAddress(message.from), envelopeAddress(message.to)];
    // A local part beyond ASCII needs the server's SMTPUTF8 (RFC 6531); a domain beyond it goes as punycode.
    const utf8 = !isAscii(from + to);
    if (utf8 && !this.utf8) throw new SmtpError('the server does not take addresses beyond ASCII (no SMTPUTF8)', 553);
    const commands = [`MAIL FROM:<${from}>${utf8 ? ' SMTPUTF8' : ''}`, `RCPT TO:<${to}>`, 'DATA'];
    const expected = [250, 250, 354];
    if (this.pipelining) {
      this.socket.write(`${commands.join('\r\n')}\r\n`);
      const replies: Reply[] = [];
      for (let index = 0; index < commands.length; index += 1) replies.push(await this.reply(this.options.replyTimeoutMs));
      const refused = replies.findIndex((reply, index) => reply.code !== expected[index]);
      if (refused >= 0) {
        // A server that refused the recipient but still said 354 to DATA gets an empty message,
        // which it refuses for want of a recipient, before RSET.
        if (replies[2].code === 354) {
          this.socket.write('.\r\n');
          await this.reply(this.options.replyTimeoutMs);
        }
        await this.reset();
        throw refusal(commands[refused], replies[refused]);
      }
    } else {
      for (let index = 0; index < commands.length; index += 1) {
        const reply = await this.command(commands[index]);
        if (reply.code !== expected[index]) {
          await this.reset();
          throw refusal(commands[index], reply);
        }
      }
    }
    this.socket.write(`${dotStuffed(message.raw)}.\r\n`);
    const done = await this.reply(this.options.replyTimeoutMs);
    if (done.code !== 250) throw refusal('the message', done);
  }

  /** RSET after a refusal, so the next message starts a fresh transaction. */
  private async reset(): Promise<void> {
    const reply = await this.command('RSET');
    if (reply.code !== 250) throw new SmtpError(`RSET answered ${reply.code}`);
  }

  /**
   * Sends one command and returns its reply; with `expected`, any other code is an SmtpError
   * naming `what` (by default the command's verb: AUTH PLAIN's credentials never appear).
   */
  private async command(line: string, expected?: number, what = line.split(' ')[0]): Promise<Reply> {
    this.socket.write(`${line}\r\n`);
    const reply = await this.reply(this.options.replyTimeoutMs);
    if (expected !== undefined && reply.code !== expected) throw refusal(what, reply);
    return reply;
  }

  private reply(timeoutMs: number): Promise<Reply> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    if (this.ended) return Promise.reject(new SmtpError('the connection closed'));
    return new Promise<Reply>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.timer = setTimeout(() => this.end(new SmtpError(`no reply within ${timeoutMs} ms`)), timeoutMs);
    });
  }

  private read(chunk: string): void {
    this.input += chunk;
    for (let end = this.input.indexOf('\r\n'); end >= 0; end = this.input.indexOf('\r\n')) {
      const line = this.input.slice(0, end);
      this.input = this.input.slice(end + 2);
      this.lines.push(line.slice(4));
      // "250-..." continues a reply, "250 ..." (or a bare "250") ends it.
      if (line.charAt(3) === '-') continue;
      const reply: Reply = { code: Number(line.slice(0, 3)) || 0, lines: this.lines };
      this.lines = [];
      const waiting = this.waiting;
      if (waiting) {
        this.waiting = undefined;
        clearTimeout(this.timer);
        waiting.resolve(reply);
      } else this.replies.push(reply);
    }
  }

  private end(error: Error, polite = false): void {
    if (this.ended) return;
    this.ended = true;
    this.ready = false;
    clearTimeout(this.idle);
    clearTimeout(this.timer);
    this.onEnd();
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(error);
    for (const pending of this.queue.splice(0)) pending.reject(error);
    if (polite) this.socket.end('QUIT\r\n');
    else this.socket.destroy();
  }
}

/** The address with its domain in ASCII (punycode); the local part as it is. */
function envelopeAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0 || isAscii(address)) return address;
  return `${address.slice(0, at)}@${domainToASCII(address.slice(at + 1)) || address.slice(at + 1)}`;
}

/** Every character one byte in UTF-8, which only ASCII's are. */
function isAscii(text: string): boolean {
  return Buffer.byteLength(text, 'utf8') === text.length;
}

function refusal(what: string, reply: Reply): SmtpError {
  return new SmtpError(`${what} refused: ${reply.code} ${reply.lines.join(' ')}`.trim(), reply.code);
}

/** A line that begins with a dot gets a second one (RFC 5321 4.5.2); the message ends with CRLF. */
export function dotStuffed(raw: string): string {
  const body = raw.replace(/\r?\n/g, '\r\n').replace(/(^|\r\n)\./g, '$1..');
  return body.endsWith('\r\n') ? body : `${body}\r\n`;
}
