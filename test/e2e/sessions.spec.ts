import { Clock } from '../../src/common/clock';
import { AuditService } from '../../src/modules/audit/audit.service';
import {
  api,
  bearer,
  controlClock,
  createAccount,
  createRamUser,
  KNOWN_DEVICE_ID,
  mintSession,
  signIn,
  TestAccount,
  trustDevice,
} from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

describe('Sessions', () => {
  let t: TestApp;
  let owner: TestAccount;

  beforeAll(async () => {
    t = await createTestApp({ workers: false, env: { TRUST_PROXY: 'loopback' } });
    owner = await createAccount(t);
  });

  afterAll(async () => {
    await t.close();
  });

  const sessionsOf = async (token: string) =>
    (await api(t).get('/api/v1/sessions').set(bearer(token)).expect(200)).body.sessions as { id: string; current: boolean }[];
  const currentId = async (token: string) => (await sessionsOf(token)).find((session) => session.current)!.id;
  const expectSignedOut = async (token: string) => {
    const response = await api(t).get('/api/v1/account').set(bearer(token)).expect(401);
    expect(response.body.code).toBe('UNAUTHENTICATED');
  };

  it('lists the caller’s live sessions, marking the current one', async () => {
    const account = await createAccount(t);
    const first = await signIn(t, account.logonEmail, account.password);
    await trustDevice(t, account.uid, KNOWN_DEVICE_ID, '203.0.113.5');
    const second = await api(t)
      .post('/api/v1/sessions')
      .set('User-Agent', 'Browser/1.0')
      .set('X-Forwarded-For', '203.0.113.5')
      .set('X-Device-Id', KNOWN_DEVICE_ID)
      .send({ login: account.logonEmail, password: account.password })
      .expect(201);
    const ramUser = await createRamUser(t, account.uid);
    await signIn(t, ramUser.login, ramUser.password);

    const sessions = await sessionsOf(second.body.token);
    expect(sessions).toHaveLength(2);
    expect(sessions[0]).toEqual({
      id: expect.any(String),
      current: true,
      createdAt: expect.any(String),
      lastSeenAt: expect.any(String),
      ip: '203.0.113.5',
      userAgent: 'Browser/1.0',
    });
    expect(sessions[1]).toMatchObject({ current: false });
    expect((await sessionsOf(first)).filter((session) => session.current)).toHaveLength(1);
  });

  it('needs a session: 401 without one, or with a made-up token', async () => {
    await expectSignedOut('A'.repeat(43));
    await api(t).get('/api/v1/sessions').expect(401);
    await api(t).get('/api/v1/sessions').set('Authorization', 'Bearer not-a-token').expect(401);
  });

  it('signs out the current session, at once', async () => {
    const token = await signIn(t, owner.logonEmail, owner.password);
    const response = await api(t).delete('/api/v1/sessions/current').set(bearer(token)).expect(204);
    expect(response.headers['set-cookie']).toBeUndefined();
    await expectSignedOut(token);
  });

  it('revokes one session of the caller, and no one else’s', async () => {
    const keep = await signIn(t, owner.logonEmail, owner.password);
    const drop = await signIn(t, owner.logonEmail, owner.password);
    const other = await createAccount(t);
    const stranger = await signIn(t, other.logonEmail, other.password);

    await api(t)
      .delete(`/api/v1/sessions/${await currentId(drop)}`)
      .set(bearer(keep))
      .expect(204);
    await expectSignedOut(drop);
    await api(t).get('/api/v1/account').set(bearer(keep)).expect(200);

    const foreign = await api(t)
      .delete(`/api/v1/sessions/${await currentId(stranger)}`)
      .set(bearer(keep))
      .expect(404);
    expect(foreign.body.code).toBe('NOT_FOUND');
    await api(t).get('/api/v1/account').set(bearer(stranger)).expect(200);
    await api(t).delete('/api/v1/sessions/not-a-uuid').set(bearer(keep)).expect(404);
  });

  it('revokes every other session with scope=others', async () => {
    const account = await createAccount(t);
    const [a, b, c] = [
      await signIn(t, account.logonEmail, account.password),
      await signIn(t, account.logonEmail, account.password),
      await signIn(t, account.logonEmail, account.password),
    ];
    const ramUser = await createRamUser(t, account.uid);
    const ram = await signIn(t, ramUser.login, ramUser.password);

    await api(t).delete('/api/v1/sessions?scope=others').set(bearer(a)).expect(204);
    await expectSignedOut(b);
    await expectSignedOut(c);
    await api(t).get('/api/v1/account').set(bearer(a)).expect(200);
    // A RAM user's sessions are its own, not the owner's to list or revoke.
    await api(t).get('/api/v1/account').set(bearer(ram)).expect(200);
    expect(await sessionsOf(a)).toHaveLength(1);
  });

  it('revokes every session of the caller, the current one too, with scope=all', async () => {
    const account = await createAccount(t);
    const [a, b] = [await signIn(t, account.logonEmail, account.password), await signIn(t, account.logonEmail, account.password)];
    await api(t).delete('/api/v1/sessions?scope=all').set(bearer(a)).expect(204);
    await expectSignedOut(a);
    await expectSignedOut(b);
  });

  it('refuses a missing or unknown scope', async () => {
    const token = await signIn(t, owner.logonEmail, owner.password);
    await api(t).delete('/api/v1/sessions').set(bearer(token)).expect(400);
    await api(t).delete('/api/v1/sessions?scope=everyone').set(bearer(token)).expect(400);
    await api(t).get('/api/v1/account').set(bearer(token)).expect(200);
  });

  it('keeps role and SSO sessions to themselves', async () => {
    const account = await createAccount(t);
    const root = await signIn(t, account.logonEmail, account.password);
    const role = await mintSession(t, account.uid, 'ram_role', 'auditor');
    const sso = await mintSession(t, account.uid, 'sso', 'dan@corp.example');
    expect(await sessionsOf(role)).toHaveLength(1);
    await api(t).delete('/api/v1/sessions?scope=all').set(bearer(role)).expect(204);
    await expectSignedOut(role);
    await api(t).get('/api/v1/account').set(bearer(root)).expect(200);
    await api(t).get('/api/v1/account').set(bearer(sso)).expect(200);
  });

  it('audits each revocation', async () => {
    const account = await createAccount(t);
    const token = await signIn(t, account.logonEmail, account.password);
    await signIn(t, account.logonEmail, account.password);
    await api(t).delete('/api/v1/sessions?scope=others').set(bearer(token)).expect(204);
    await api(t).delete('/api/v1/sessions/current').set(bearer(token)).expect(204);
    const { events } = await t.get(AuditService).list({ subject: { type: 'account', id: account.uid } });
    expect(events.filter((event) => event.action === 'session.revoked').map((event) => event.data.scope)).toEqual(['current', 'others']);
    expect(events[0]).toMatchObject({ actorType: 'account', actorId: account.uid });
  });

  describe('across two API processes', () => {
    let second: TestApp;

    beforeAll(async () => {
      second = await createTestApp({ workers: false, sharing: t });
    });

    afterAll(async () => {
      await second.close();
    });

    it('refuses a session in one process the moment the other revokes it', async () => {
      const token = await signIn(t, owner.logonEmail, owner.password);
      await api(second).get('/api/v1/account').set(bearer(token)).expect(200);
      await api(t).delete('/api/v1/sessions/current').set(bearer(token)).expect(204);
      await api(second).get('/api/v1/account').set(bearer(token)).expect(401);
    });
  });
});

describe('Session lifetimes', () => {
  let t: TestApp;
  let owner: TestAccount;
  let clock: ReturnType<typeof controlClock>;
  const minutes = (n: number) => n * 60_000;

  beforeAll(async () => {
    t = await createTestApp({ workers: false, env: { SESSION_IDLE: '10m', SESSION_ABSOLUTE: '1h' } });
    clock = controlClock(t);
    owner = await createAccount(t);
  });

  afterAll(async () => {
    await t.close();
  });

  const use = (token: string) => api(t).get('/api/v1/account').set(bearer(token));

  it('ends a session left idle longer than SESSION_IDLE, and keeps one in use', async () => {
    const token = await signIn(t, owner.logonEmail, owner.password);
    clock.advance(minutes(9));
    await use(token).expect(200);
    clock.advance(minutes(9));
    await use(token).expect(200);
    clock.advance(minutes(10) + 1_000);
    await use(token).expect(401);
  });

  it('ends a session at SESSION_ABSOLUTE however busy, and says when in expiresAt', async () => {
    const signedInAt = t.get(Clock).nowMs();
    await trustDevice(t, owner.uid, KNOWN_DEVICE_ID, '127.0.0.1');
    const response = await api(t)
      .post('/api/v1/sessions')
      .set('X-Device-Id', KNOWN_DEVICE_ID)
      .send({ login: owner.logonEmail, password: owner.password })
      .expect(201);
    const token = response.body.token as string;
    expect(Date.parse(response.body.expiresAt) - signedInAt).toBeGreaterThanOrEqual(minutes(60));
    expect(Date.parse(response.body.expiresAt) - signedInAt).toBeLessThan(minutes(60) + 5_000);
    for (let elapsed = 0; elapsed < 54; elapsed += 9) {
      clock.advance(minutes(9));
      await use(token).expect(200);
    }
    clock.advance(minutes(6) + 5_000);
    await use(token).expect(401);
  });
});

describe('Session expiry in real time', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ workers: false, env: { SESSION_ABSOLUTE: '2s' } });
  });

  afterAll(async () => {
    await t.close();
  });

  it('stops accepting a session once its absolute lifetime has passed', async () => {
    const owner = await createAccount(t);
    const token = await signIn(t, owner.logonEmail, owner.password);
    await api(t).get('/api/v1/account').set(bearer(token)).expect(200);
    await waitFor(async () => (await api(t).get('/api/v1/account').set(bearer(token))).status === 401, {
      timeoutMs: 5_000,
      intervalMs: 200,
      description: 'the session to expire',
    });
  });
});
