import { AddressInfo, Socket } from 'node:net';
import { SMTPServer, SMTPServerOptions } from 'smtp-server';
import { SmtpEmailTransport } from '../../src/infrastructure/transports/smtp-email.transport';
import { SmtpSink } from '../support/smtp-sink';

describe(SmtpEmailTransport.name, () => {
  let sink: SmtpSink;
  let transport: SmtpEmailTransport;
  let sequence = 0;
  const send = () => {
    sequence += 1;
    return transport.send({
      id: `message-${sequence}`,
      template: 'verification-code',
      to: `to-${sequence}@example.com`,
      subject: 'Code',
      html: '<p>123456</p>',
      text: '123456',
    });
  };

  beforeAll(async () => {
    sink = await SmtpSink.start();
    transport = new SmtpEmailTransport(sink.url, 'Account Center <no-reply@example.com>');
  });

  afterAll(async () => {
    await transport.close();
    await sink.stop();
  });

  it('fails every send while the server is down, more sends than pooled connections, and sends again once it is back', async () => {
    await Promise.all(Array.from({ length: 20 }, send));
    await sink.down();
    // More than the pool's 16 connections: each refused connect must free its slot, or the rest would wait forever.
    const whileDown = await Promise.allSettled(Array.from({ length: 40 }, send));
    expect(whileDown.map((outcome) => outcome.status)).toEqual(Array.from({ length: 40 }, () => 'rejected'));
    expect((whileDown[0] as PromiseRejectedResult).reason).toMatchObject({ name: 'DeliveryError', permanent: false });

    await sink.up();
    await Promise.all(Array.from({ length: 10 }, send));
    expect(sink.messages).toHaveLength(30);
  });

  it('sends a message in two writes (MAIL, RCPT and DATA together, then the message), and large messages and lines that begin with a dot intact', async () => {
    await send(); // the pool's connection is open
    const writes = jest.spyOn(Socket.prototype as unknown as { _writeGeneric: (...args: unknown[]) => unknown }, '_writeGeneric');
    try {
      await send();
      // The sink answers from this process too: only the client's writes, to the sink's port, count.
      const port = Number(new URL(sink.url).port);
      const mine = writes.mock.contexts.filter((socket) => (socket as Socket).remotePort === port);
      expect(mine).toHaveLength(2);
    } finally {
      writes.mockRestore();
    }

    const text = Array.from({ length: 4000 }, (_, line) => (line % 7 === 0 ? `.line ${line}` : `line ${line} ${'x'.repeat(40)}`)).join(
      '\n',
    );
    const before = sink.messages.length;
    await transport.send({
      id: 'large',
      template: 'verification-code',
      to: 'large@example.com',
      subject: 'Large',
      html: `<pre>${text}</pre>`,
      text,
    });
    await send();
    expect(sink.messages).toHaveLength(before + 2);
    expect(sink.messages[before].text.trim()).toBe(text);
  });

  it('fails a refused message alone: 4xx to be tried again, 5xx for good; the connection goes on', async () => {
    sink.respondWith((_attempt, message) =>
      message.to[0] === 'busy@example.com'
        ? { code: 451, message: 'try later' }
        : message.to[0] === 'gone@example.com'
          ? { code: 550, message: 'no such mailbox' }
          : undefined,
    );
    try {
      const outcomes = await Promise.allSettled(
        ['busy@example.com', 'ok-1@example.com', 'gone@example.com', 'ok-2@example.com'].map((to, index) =>
          transport.send({ id: `refusal-${index}`, template: 'verification-code', to, subject: 'Code', html: '<p>1</p>', text: '1' }),
        ),
      );
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
      expect((outcomes[0] as PromiseRejectedResult).reason).toMatchObject({ name: 'DeliveryError', permanent: false });
      expect((outcomes[0] as PromiseRejectedResult).reason.message).toMatch(/451/);
      expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ name: 'DeliveryError', permanent: true });
      expect((outcomes[2] as PromiseRejectedResult).reason.message).toMatch(/550/);
    } finally {
      sink.respondWith(() => undefined);
    }
    await send();
  });
});

describe('SmtpEmailTransport against other servers', () => {
  const servers: SMTPServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  });

  /** An SMTP server of this test's own; resolves with its URL and what it received. */
  const serve = async (options: SMTPServerOptions, user = '') => {
    const received: { from: string; to: string[]; body: string; user?: string }[] = [];
    const server = new SMTPServer({
      logger: false,
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      closeTimeout: 50,
      ...options,
      onData(stream, session, callback) {
        let body = '';
        stream.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            body,
            user: session.user as string | undefined,
          });
          callback();
        });
      },
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.server.address() as AddressInfo).port;
    return { url: `smtp://${user}127.0.0.1:${port}`, received };
  };
  const email = (to: string) => ({ id: `other-${to}`, template: 'verification-code', to, subject: 'Code', html: '<p>42</p>', text: '42' });

  it('signs in with AUTH PLAIN or AUTH LOGIN when SMTP_URL has credentials, and a wrong password is a permanent failure', async () => {
    for (const method of ['PLAIN', 'LOGIN']) {
      const server = await serve(
        {
          authMethods: [method],
          allowInsecureAuth: true,
          onAuth(auth, _session, callback) {
            if (auth.username === 'mailer' && auth.password === 'p@ss word') return callback(null, { user: auth.username });
            callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
          },
        },
        'mailer:p%40ss%20word@',
      );
      const transport = new SmtpEmailTransport(server.url, 'Account Center <no-reply@example.com>');
      await transport.send(email(`auth-${method.toLowerCase()}@example.com`));
      expect(server.received).toEqual([expect.objectContaining({ to: [`auth-${method.toLowerCase()}@example.com`], user: 'mailer' })]);
      await transport.close();

      const wrong = new SmtpEmailTransport(server.url.replace('p%40ss%20word', 'nope'), 'Account Center <no-reply@example.com>');
      const refused = (await wrong.send(email('never@example.com')).catch((error: unknown) => error)) as Error;
      expect(refused).toMatchObject({ name: 'DeliveryError', permanent: true });
      // The message is logged and stored with the notification: no credential in it, plain or base64.
      expect(refused.message).toMatch(/535/);
      for (const secret of ['nope', Buffer.from('nope').toString('base64'), Buffer.from('\0mailer\0nope').toString('base64')])
        expect(refused.message).not.toContain(secret);
      await wrong.close();
    }
  });

  it('sends one command at a time to a server without PIPELINING, and an internationalised domain as punycode', async () => {
    const server = await serve({ hidePIPELINING: true, hideSMTPUTF8: true } as SMTPServerOptions);
    const transport = new SmtpEmailTransport(server.url, 'Zoë Müller <no-reply@bücher.example>');
    await transport.send(email('ana@例え.jp'));
    expect(server.received).toHaveLength(1);
    // The server offers no SMTPUTF8, so the domains went as punycode (smtp-server reports them decoded).
    expect(server.received[0].from).toBe('no-reply@bücher.example');
    expect(server.received[0].to).toEqual(['ana@例え.jp']);
    expect(server.received[0].body).toMatch(/^From: =\?UTF-8\?/m);
    // A local part beyond ASCII needs SMTPUTF8, which this server does not offer: refused for good, nothing sent.
    await expect(transport.send(email('josé@example.com'))).rejects.toMatchObject({ name: 'DeliveryError', permanent: true });
    expect(server.received).toHaveLength(1);
    await transport.close();
  });

  it('upgrades with STARTTLS when the server offers it, and sends nothing to a server whose certificate it cannot trust', async () => {
    // smtp-server's built-in certificate is self-signed: the upgrade is tried and the send refused, nothing in the clear.
    const server = await serve({ disabledCommands: [] });
    const transport = new SmtpEmailTransport(server.url, 'Account Center <no-reply@example.com>');
    const refused = await transport.send(email('tls@example.com')).catch((error: unknown) => error);
    expect(refused).toMatchObject({ name: 'DeliveryError', permanent: false });
    expect((refused as Error).message).toMatch(/certificate/i);
    expect(server.received).toHaveLength(0);
    await transport.close();
  });
});
