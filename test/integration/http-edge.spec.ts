import { createTestApp, TestApp } from '../support/test-app';
import { METRICS_AUTH, METRICS_TOKEN } from '../support/factories';
import { ProbeModule } from '../support/probe.module';

describe('HTTP edge', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ imports: [ProbeModule], workers: false, env: { METRICS_TOKEN } });
  });

  afterAll(async () => {
    await t.close();
  });

  const valid = { email: 'ada@example.com', count: 2, evidence: { fullName: 'Ada Lovelace' } };

  it('accepts a valid body', async () => {
    await t.http.post('/probe/validate').send(valid).expect(201, { ok: true, email: 'ada@example.com' });
  });

  it('answers invalid fields with 400 VALIDATION_FAILED naming each dotted field', async () => {
    const response = await t.http
      .post('/probe/validate')
      .send({ ...valid, email: 'not-an-email', evidence: { fullName: 'A' } })
      .expect(400)
      .expect('Content-Type', /application\/problem\+json/);
    expect(response.body).toMatchObject({
      type: '/problems/validation-failed',
      title: expect.any(String),
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'email', message: 'must be an email' },
        { field: 'evidence.fullName', message: expect.stringContaining('longer than or equal to 2') },
      ]),
    );
  });

  it('refuses unknown properties, also nested ones', async () => {
    const response = await t.http
      .post('/probe/validate')
      .send({ ...valid, admin: true, evidence: { fullName: 'Ada', extra: 1 } })
      .expect(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'admin', message: 'property admin should not exist' },
        { field: 'evidence.extra', message: 'property extra should not exist' },
      ]),
    );
  });

  it('refuses malformed JSON the same way', async () => {
    const response = await t.http.post('/probe/validate').set('Content-Type', 'application/json').send('{"email": ').expect(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
  });

  it('refuses a NUL in a string, which PostgreSQL cannot store, with 400 naming the field', async () => {
    const response = await t.http
      .post('/probe/validate')
      .send({ ...valid, evidence: { fullName: 'Ada\u0000' } })
      .expect(400);
    expect(response.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'evidence.fullName', message: 'must not contain a NUL character' }],
    });
  });

  it('refuses a lone surrogate, on which the email validator throws, with 400', async () => {
    const response = await t.http
      .post('/probe/validate')
      .set('Content-Type', 'application/json')
      .send('{"email":"a\\ud800@example.com","count":2,"evidence":{"fullName":"Ada"}}')
      .expect(400);
    expect(response.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'email', message: 'must be well-formed Unicode text' }],
    });
  });

  it('refuses JSON nested deeper than any request needs with 400, not a stack overflow', async () => {
    const response = await t.http
      .post('/probe/validate')
      .set('Content-Type', 'application/json')
      .send(`${'['.repeat(20_000)}${']'.repeat(20_000)}`)
      .expect(400);
    expect(response.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
      errors: [{ field: '', message: 'is nested deeper than 16 levels' }],
    });
  });

  it('refuses a body over the limit with 413', async () => {
    const response = await t.http
      .post('/probe/validate')
      .send({ ...valid, evidence: { fullName: 'x'.repeat(70_000) } })
      .expect(413);
    expect(response.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers unknown routes with 404 NOT_FOUND', async () => {
    const response = await t.http
      .get('/api/v1/nothing-here')
      .expect(404)
      .expect('Content-Type', /application\/problem\+json/);
    expect(response.body).toMatchObject({ code: 'NOT_FOUND', status: 404, type: '/problems/not-found' });
  });

  it('answers an unexpected failure with 500 INTERNAL and a correlation id, never the error itself', async () => {
    const response = await t.http.get('/probe/boom').set('X-Request-Id', 'corr-id-12345678').expect(500);
    expect(response.body).toMatchObject({ code: 'INTERNAL', status: 500, correlationId: 'corr-id-12345678' });
    const text = JSON.stringify(response.body);
    expect(text).not.toMatch(/secret_table|internal\.ts|at \/|stack/);
  });

  it('renders the error page for browsers, and problem documents for everything else', async () => {
    const page = await t.http
      .get('/nowhere')
      .set('Accept', 'text/html')
      .expect(404)
      .expect('Content-Type', /text\/html/);
    expect(page.text).toContain('Not found');
    await t.http
      .get('/nowhere')
      .expect(404)
      .expect('Content-Type', /application\/problem\+json/);
  });

  it('documents each problem type at its URI', async () => {
    const page = await t.http.get('/problems/validation-failed').set('Accept', 'text/html').expect(200);
    expect(page.text).toContain('VALIDATION_FAILED');
  });

  it('serves the landing page with links to sign-in, appeals and the back-office', async () => {
    const response = await t.http
      .get('/')
      .expect(200)
      .expect('Content-Type', /text\/html/);
    expect(response.text).toContain('href="/login"');
    expect(response.text).toContain('href="/appeal"');
    expect(response.text).toContain('href="/agent"');
    expect(response.text).toContain('/static/css/app.css');
    expect(response.text).not.toMatch(/<script(?![^>]*src=)/);
  });

  it('serves the stylesheet', async () => {
    await t.http
      .get('/static/css/app.css')
      .expect(200)
      .expect('Content-Type', /text\/css/);
  });

  it('reports liveness, readiness and metrics', async () => {
    await t.http.get('/health/live').expect(200, { status: 'ok' });
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body.info).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' } });
    const metrics = await t.http.get('/metrics').set(METRICS_AUTH).expect(200);
    expect(metrics.text).toContain('http_request_duration_seconds_bucket');
    expect(metrics.text).toMatch(/route="\/health\/ready"/);
  });

  it('serves the OpenAPI document and its UI', async () => {
    const json = await t.http.get('/api/docs-json').expect(200);
    expect(json.body.info.title).toBe('Account Center API');
    await t.http
      .get('/api/docs')
      .expect(200)
      .expect('Content-Type', /text\/html/);
  });
});
