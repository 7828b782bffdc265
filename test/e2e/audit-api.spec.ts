import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AuditService } from '../../src/modules/audit/audit.service';
import { AuditVerifier } from '../../src/modules/audit/audit-verifier.service';
import { canonicalJson } from '../../src/modules/audit/canonical-json';
import { leafHash, verifyConsistency, verifyInclusion } from '../../src/modules/audit/merkle';
import { sequenceAudit, testAction } from '../support/audit';
import { ADMIN_TOKEN, bearer } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'verify-audit-proof.js');
const hex = (list: string[]) => list.map((hash) => Buffer.from(hash, 'hex'));

/** The audit log's public key, signed checkpoints and RFC 9162 proofs, checked by an outside verifier. */
describe('Audit API', () => {
  let t: TestApp;
  let dir: string;
  const admin = bearer(ADMIN_TOKEN);
  const checkpoints: Record<string, unknown>[] = [];

  beforeAll(async () => {
    t = await createTestApp({ workers: false, env: { ADMIN_API_TOKEN: ADMIN_TOKEN } });
    dir = mkdtempSync(join(tmpdir(), 'ac-audit-proofs-'));
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  const record = (n: number) =>
    t.dataSource.transaction((manager) =>
      t.get(AuditService).record(manager, {
        action: testAction('test.happened'),
        actor: { type: 'system' },
        subject: { type: 'account', id: `10000000000000${n}` },
        data: { n, text: 'é "quoted" \u2028' },
      }),
    );
  const script = async (mode: string, ...args: unknown[]) => {
    const files = args.map((content, n) => {
      const file = join(dir, `${n}-${Math.random()}.json`);
      writeFileSync(file, JSON.stringify(content));
      return file;
    });
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [SCRIPT, mode, ...files]);
      return stdout.trim();
    } catch (error) {
      return (error as { stdout: string }).stdout.trim();
    }
  };

  it('publishes the public key without authentication and no checkpoint before the first sequencing', async () => {
    const jwks = await t.http.get('/.well-known/audit-key.json').expect(200);
    expect(jwks.body).toEqual({
      keys: [{ kty: 'OKP', crv: 'Ed25519', x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), kid: expect.any(String), use: 'sig' }],
    });
    await t.http.get('/api/admin/audit/checkpoint').set(admin).expect(404);
    await t.http.get('/api/admin/audit/checkpoint').expect(401);
    await t.http.get('/api/admin/audit/events/0').set(admin).expect(404);
  });

  it('signs checkpoints, proves each event is in them and that each extends the one before', async () => {
    for (let round = 0; round < 3; round += 1) {
      for (let n = 0; n < 3 + round * 2; n += 1) await record(n);
      await sequenceAudit(t);
      const { body } = await t.http.get('/api/admin/audit/checkpoint').set(admin).expect(200);
      expect(body).toEqual({
        size: expect.any(Number),
        rootHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        timestamp: expect.stringMatching(/Z$/),
        signature: expect.any(String),
        kid: expect.any(String),
      });
      checkpoints.push(body);
    }
    const keys = (await t.http.get('/.well-known/audit-key.json').expect(200)).body;
    const last = checkpoints[checkpoints.length - 1] as { size: number; rootHash: string };
    for (let seq = 0; seq < last.size; seq += 1) {
      const { body } = await t.http.get(`/api/admin/audit/events/${seq}`).set(admin).expect(200);
      expect(body).toMatchObject({
        seq,
        size: last.size,
        rootHash: last.rootHash,
        event: { id: expect.any(String), nonce: expect.stringMatching(/^[0-9a-f]{32}$/) },
      });
      expect(body.leafHash).toBe(leafHash(canonicalJson(body.event)).toString('hex'));
      expect(
        verifyInclusion(Buffer.from(body.leafHash, 'hex'), seq, body.size, hex(body.inclusionProof), Buffer.from(body.rootHash, 'hex')),
      ).toBe(true);
    }
    // The documented script, with nothing but the public key.
    const first = checkpoints[0] as { size: number; rootHash: string };
    const inFirst = (await t.http.get(`/api/admin/audit/events/1?size=${first.size}`).set(admin).expect(200)).body;
    expect(inFirst).toMatchObject({ size: first.size, rootHash: first.rootHash });
    await expect(script('inclusion', keys, inFirst, first)).resolves.toBe('ok');
    await expect(script('inclusion', keys, { ...inFirst, event: { ...inFirst.event, action: 'test.forged' } }, first)).resolves.toMatch(
      /^FAILED: event 1 is not in/,
    );
    await expect(script('inclusion', keys, inFirst, { ...first, rootHash: 'a'.repeat(64) })).resolves.toMatch(
      /^FAILED: checkpoint \d+: bad signature/,
    );

    const consistency = (await t.http.get(`/api/admin/audit/consistency?from=${first.size}&to=${last.size}`).set(admin).expect(200)).body;
    expect(consistency).toEqual({ from: first.size, to: last.size, proof: expect.any(Array) });
    expect(
      verifyConsistency(
        first.size,
        last.size,
        hex(consistency.proof),
        Buffer.from(first.rootHash, 'hex'),
        Buffer.from(last.rootHash, 'hex'),
      ),
    ).toBe(true);
    await expect(script('consistency', keys, consistency, first, last)).resolves.toBe('ok');
    await expect(script('consistency', keys, { ...consistency, proof: [...consistency.proof].reverse() }, first, last)).resolves.toMatch(
      /^FAILED/,
    );
    expect((await t.http.get(`/api/admin/audit/consistency?from=${last.size}&to=${last.size}`).set(admin).expect(200)).body).toEqual({
      from: last.size,
      to: last.size,
      proof: [],
    });
  });

  it('keeps a rotated key in the key set, so what the old key signed still verifies', async () => {
    const old = checkpoints[0] as { size: number; kid: string };
    const before = (await t.http.get('/.well-known/audit-key.json').expect(200)).body as { keys: { kid: string }[] };
    const rotated = await createTestApp({
      workers: false,
      env: {
        ADMIN_API_TOKEN: ADMIN_TOKEN,
        DATABASE_URL: t.config.database.url,
        AUDIT_SIGNING_KEY: Buffer.alloc(32, 7).toString('base64url'),
      },
    });
    try {
      await rotated.dataSource.transaction((manager) =>
        rotated.get(AuditService).record(manager, { action: testAction('test.after_rotation'), actor: { type: 'system' } }),
      );
      await sequenceAudit(rotated);
      const keys = (await rotated.http.get('/.well-known/audit-key.json').expect(200)).body as { keys: { kid: string }[] };
      expect(keys.keys.map((key) => key.kid)).toEqual([expect.not.stringMatching(old.kid), old.kid]);
      expect(keys.keys[0].kid).not.toBe(before.keys[0].kid);
      const latest = (await rotated.http.get('/api/admin/audit/checkpoint').set(admin).expect(200)).body;
      expect(latest.kid).toBe(keys.keys[0].kid);
      const proof = (await rotated.http.get(`/api/admin/audit/events/0?size=${old.size}`).set(admin).expect(200)).body;
      await expect(script('inclusion', keys, proof, old)).resolves.toBe('ok');
      const consistency = (await rotated.http.get(`/api/admin/audit/consistency?from=${old.size}&to=${latest.size}`).set(admin).expect(200))
        .body;
      await expect(script('consistency', keys, consistency, old, latest)).resolves.toBe('ok');
      await expect(rotated.get(AuditVerifier).verify()).resolves.toMatchObject({ ok: true, checkpointProblems: [] });
    } finally {
      await rotated.close();
    }
  });

  it.each([
    ['/api/admin/audit/consistency?from=3&to=2', 400],
    ['/api/admin/audit/consistency?from=0&to=2', 400],
    ['/api/admin/audit/consistency?from=1', 400],
    ['/api/admin/audit/consistency?from=x&to=2', 400],
    ['/api/admin/audit/consistency?from=2&to=999999', 400],
    ['/api/admin/audit/events/-1', 400],
    ['/api/admin/audit/events/abc', 400],
    ['/api/admin/audit/events/999999', 404],
    ['/api/admin/audit/events/0?size=999999', 404],
  ])('%s answers %d with a problem document', async (path, status) => {
    const response = await t.http.get(path).set(admin).expect(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
