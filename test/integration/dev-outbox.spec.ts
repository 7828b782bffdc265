import { Notice, NotificationsService } from '../../src/modules/notifications/notifications.service';
import { templateSpec } from '../../src/modules/notifications/notification-templates';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

describe('/dev/outbox with the development outbox', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(() => t.close());

  const send = (notice: Notice) => t.dataSource.transaction((manager) => t.get(NotificationsService).notify(manager, notice));

  /** The page once it lists `count` messages. */
  const pageWith = (count: number) =>
    waitFor(
      async () => {
        const response = await t.http
          .get('/dev/outbox')
          .set('Accept', 'text/html')
          .expect(200)
          .expect('Content-Type', /text\/html/);
        return (response.text.match(/<time datetime=/g) ?? []).length === count ? response.text : undefined;
      },
      { description: `${count} messages on the page` },
    );

  it('lists the messages written instead of sent, newest first, with their codes', async () => {
    await expect(pageWith(0)).resolves.toContain('No message has been written yet.');
    await send({
      template: 'verification-code',
      channel: 'email',
      to: 'dev@example.com',
      variables: { code: '314159', expiresInMinutes: 10, purpose: 'change_email' },
    });
    await pageWith(1);
    await send({
      template: 'sign-in-code',
      channel: 'sms',
      to: '+8613800000009',
      locale: 'zh-CN',
      variables: { code: '271828', expiresInMinutes: 10, ip: '203.0.113.9' },
    });
    await pageWith(2);
    await send({
      template: 'appeal-rejected',
      channel: 'email',
      to: 'contact@example.com',
      variables: { ...templateSpec('appeal-rejected').sample, message: '<script>alert(1)</script>' },
    });

    const page = await pageWith(3);
    expect(page).toContain('<title>Sent messages · Account Center</title>');
    expect(page).toContain('/static/css/app.css');
    expect(page).toContain('dev@example.com');
    expect(page).toContain('Your Account Center verification code');
    expect(page).toMatch(/<code class="outbox-code">314159<\/code>/);
    expect(page).toContain('+8613800000009');
    expect(page).toMatch(/<code class="outbox-code">271828<\/code>/);
    expect(page).toContain('sign-in-code');
    // A message without a code shows none, and what it carries is escaped.
    expect(page).toContain('appeal-rejected');
    expect((page.match(/class="outbox-code"/g) ?? []).length).toBe(2);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toMatch(/<script(?! src)/);

    const positions = ['contact@example.com', '+8613800000009', 'dev@example.com'].map((to) => page.indexOf(to));
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
});

describe('/dev/outbox when messages really leave', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Real transports (SMTP and the SMS webhook) configured: the development outbox is off.
    t = await createTestApp({ smtp: true, sms: true, workers: false });
  });

  afterAll(() => t.close());

  it('does not exist', async () => {
    await t.http.get('/dev/outbox').set('Accept', 'text/html').expect(404);
    await t.http
      .get('/dev/outbox')
      .expect(404)
      .expect('Content-Type', /application\/problem\+json/);
  });
});
