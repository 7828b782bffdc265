import { AuditService } from '../../src/modules/audit/audit.service';
import { AuditVerifier } from '../../src/modules/audit/audit-verifier.service';
import { sequenceAudit } from '../support/audit';
import { ADMIN_TOKEN, bearer, uniqueEmail } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

describe('Admin API', () => {
  let t: TestApp;
  const admin = bearer(ADMIN_TOKEN);

  beforeAll(async () => {
    t = await createTestApp({ workers: false, env: { ADMIN_API_TOKEN: ADMIN_TOKEN } });
  });

  afterAll(async () => {
    await t.close();
  });

  const createAccount = (body: Record<string, unknown>) => t.http.post('/api/admin/accounts').set(admin).send(body);

  describe('authentication', () => {
    it.each([
      ['no token', {}],
      ['a wrong token', { Authorization: `Bearer ${ADMIN_TOKEN}x` }],
      ['another scheme', { Authorization: `Basic ${ADMIN_TOKEN}` }],
    ])('refuses %s with 401 UNAUTHENTICATED', async (_case, headers) => {
      const response = await t.http
        .post('/api/admin/accounts')
        .set(headers)
        .send({ logonEmail: uniqueEmail(), password: 'a long enough password' })
        .expect(401);
      expect(response.body).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
      await t.http.get('/api/admin/accounts/1234567890123456').set(headers).expect(401);
    });
  });

  describe('accounts', () => {
    it('creates an account with a 16-digit UID and shows it unmasked', async () => {
      const logonEmail = uniqueEmail('Ada');
      const created = await createAccount({
        logonEmail: `  ${logonEmail.replace('example.com', 'Example.COM')} `,
        password: 'a long enough password',
        securePhone: '+8613812345678',
        locale: 'zh-CN',
      }).expect(201);
      const { uid } = created.body as { uid: string };
      expect(uid).toMatch(/^[1-9]\d{15}$/);

      const shown = await t.http.get(`/api/admin/accounts/${uid}`).set(admin).expect(200);
      expect(shown.body).toEqual({
        uid,
        logonEmail,
        securePhone: '+8613812345678',
        totpEnabled: false,
        status: 'active',
        locale: 'zh-CN',
        passwordChangedAt: expect.any(String),
        createdAt: expect.any(String),
      });
    });

    it('answers 409 EMAIL_IN_USE for an email another account has, whatever its case', async () => {
      const logonEmail = uniqueEmail();
      await createAccount({ logonEmail, password: 'a long enough password' }).expect(201);
      const response = await createAccount({ logonEmail: logonEmail.toUpperCase(), password: 'another long password' }).expect(409);
      expect(response.body).toMatchObject({ code: 'EMAIL_IN_USE', detail: 'This email address is registered to another account.' });
    });

    it('refuses a phone that is not E.164, a short password and unknown fields', async () => {
      const response = await createAccount({
        logonEmail: uniqueEmail(),
        password: 'short',
        securePhone: '138 1234 5678',
        admin: true,
      }).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect((response.body.errors as { field: string }[]).map((error) => error.field).sort()).toEqual([
        'admin',
        'password',
        'securePhone',
      ]);
    });

    it('answers 404 for an unknown UID', async () => {
      await t.http.get('/api/admin/accounts/9999999999999999').set(admin).expect(404);
      await t.http.get('/api/admin/accounts/not-a-uid').set(admin).expect(404);
    });
  });

  describe('RAM users and minted sessions', () => {
    let uid: string;

    beforeAll(async () => {
      uid = ((await createAccount({ logonEmail: uniqueEmail(), password: 'a long enough password' }).expect(201)).body as { uid: string })
        .uid;
    });

    it('creates a RAM user that signs in as <loginName>@<uid>', async () => {
      const created = await t.http
        .post(`/api/admin/accounts/${uid}/ram-users`)
        .set(admin)
        .send({ loginName: 'deploy-bot', password: 'ram user password 1' })
        .expect(201);
      expect(created.body).toEqual({ id: expect.any(String), login: `deploy-bot@${uid}` });
      const signedIn = await t.http
        .post('/api/v1/sessions')
        .send({ login: `deploy-bot@${uid}`, password: 'ram user password 1' })
        .expect(201);
      expect(signedIn.body.principal).toEqual({ type: 'ram_user', uid, name: 'deploy-bot' });
    });

    it('answers 409 LOGIN_NAME_IN_USE for a login name the account already has', async () => {
      await t.http
        .post(`/api/admin/accounts/${uid}/ram-users`)
        .set(admin)
        .send({ loginName: 'ops', password: 'ram user password 1' })
        .expect(201);
      const response = await t.http
        .post(`/api/admin/accounts/${uid}/ram-users`)
        .set(admin)
        .send({ loginName: 'OPS', password: 'ram user password 2' })
        .expect(409);
      expect(response.body.code).toBe('LOGIN_NAME_IN_USE');
    });

    it('answers 404 for a RAM user of an unknown account', async () => {
      await t.http
        .post('/api/admin/accounts/9999999999999999/ram-users')
        .set(admin)
        .send({ loginName: 'ops', password: 'ram user password 1' })
        .expect(404);
    });

    it.each([
      ['ram_role', 'ops-admin'],
      ['sso', 'carol@corp.example'],
    ])('mints a %s session the API accepts', async (type, name) => {
      const minted = await t.http.post('/api/admin/sessions').set(admin).send({ uid, principal: { type, name } }).expect(201);
      expect(minted.body).toEqual({ token: expect.any(String), expiresAt: expect.any(String) });
      const account = await t.http.get('/api/v1/account').set(bearer(minted.body.token)).expect(200);
      expect(account.body.principal).toEqual({ type, uid, name });
    });

    it('mints no root or RAM user sessions', async () => {
      await t.http
        .post('/api/admin/sessions')
        .set(admin)
        .send({ uid, principal: { type: 'root', name: 'x' } })
        .expect(400);
    });
  });

  describe('agents', () => {
    it('creates an agent, and refuses a second with the same email', async () => {
      const email = uniqueEmail('agent');
      const created = await t.http
        .post('/api/admin/agents')
        .set(admin)
        .send({ email, name: 'Agent Smith', role: 'supervisor', password: 'agent password 123' })
        .expect(201);
      expect(created.body).toEqual({ id: expect.any(String) });
      const again = await t.http
        .post('/api/admin/agents')
        .set(admin)
        .send({ email: email.toUpperCase(), name: 'Twin', role: 'agent', password: 'agent password 456' })
        .expect(409);
      expect(again.body.code).toBe('EMAIL_IN_USE');
      await t.http
        .post('/api/admin/agents')
        .set(admin)
        .send({ email: uniqueEmail('agent'), name: 'X', role: 'root', password: 'agent password 123' })
        .expect(400);
    });
  });

  it('audits every provisioning change, without secrets', async () => {
    const { events } = await t.get(AuditService).list({ limit: 200 });
    const provisioning = events.filter((event) =>
      ['account.created', 'ram_user.created', 'session.minted', 'agent.created'].includes(event.action),
    );
    expect(new Set(provisioning.map((event) => event.action)).size).toBe(4);
    expect(provisioning.every((event) => event.actorType === 'system' && event.actorId === 'admin-api')).toBe(true);
    expect(JSON.stringify(events)).not.toMatch(/password|long enough|\$argon2/i);
    await sequenceAudit(t);
    await expect(t.get(AuditVerifier).verify()).resolves.toMatchObject({ ok: true, events: events.length });
  });
});

describe('Admin API without ADMIN_API_TOKEN', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
  });

  afterAll(async () => {
    await t.close();
  });

  it.each([
    ['post', '/api/admin/accounts'],
    ['get', '/api/admin/accounts/1234567890123456'],
    ['post', '/api/admin/accounts/1234567890123456/ram-users'],
    ['post', '/api/admin/sessions'],
    ['post', '/api/admin/agents'],
    ['get', '/api/admin/anything'],
  ] as const)('answers 404 NOT_FOUND to %s %s, token or not', async (method, path) => {
    const response = await t.http[method](path).set(bearer(ADMIN_TOKEN)).send({}).expect(404);
    expect(response.body.code).toBe('NOT_FOUND');
    await t.http[method](path).send({}).expect(404);
  });
});
