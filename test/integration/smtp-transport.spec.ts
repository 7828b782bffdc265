import { Socket } from 'node:net';
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

  it('writes a message after DATA in one system call, and sends large messages and lines that begin with a dot intact', async () => {
    await send(); // the pool's connection is open
    const writes = jest.spyOn(Socket.prototype as unknown as { _writeGeneric: (...args: unknown[]) => unknown }, '_writeGeneric');
    try {
      await send();
      // MAIL FROM, RCPT TO, DATA (each waits for its reply), then the whole message with its final dot line in one
      // write of several chunks; nodemailer wrote about 15 without corking.
      // The sink answers from this process too: only the client's writes, to the sink's port, count.
      const port = Number(new URL(sink.url).port);
      const chunks = writes.mock.calls.flatMap((call, index) =>
        (writes.mock.contexts[index] as Socket).remotePort === port ? [call[0] ? (call[1] as unknown[]).length : 1] : [],
      );
      expect(chunks.length).toBeLessThanOrEqual(5);
      expect(Math.max(...chunks)).toBeGreaterThanOrEqual(2);
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
});
