import { SmtpEmailTransport } from '../../src/infrastructure/transports/smtp-email.transport';
import { SmtpSink } from '../support/smtp-sink';

describe(SmtpEmailTransport.name, () => {
  let sink: SmtpSink;
  let transport: SmtpEmailTransport;
  let sequence = 0;
  const send = () => {
    sequence += 1;
    return transport.send({ id: `message-${sequence}`, template: 'verification-code', to: `to-${sequence}@example.com`, subject: 'Code', html: '<p>123456</p>', text: '123456' });
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
});
