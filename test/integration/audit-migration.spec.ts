import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../src/database/migrations';
import { AuditTransparencyLog1795395150000 } from '../../src/database/migrations/1795395150000-AuditTransparencyLog';
import { SnakeNamingStrategy } from '../../src/database/snake-naming.strategy';
import { AuditService } from '../../src/modules/audit/audit.service';
import { AuditProofs } from '../../src/modules/audit/audit-proofs.service';
import { AuditVerifier } from '../../src/modules/audit/audit-verifier.service';
import { canonicalJson } from '../../src/modules/audit/canonical-json';
import { leafHash, verifyInclusion } from '../../src/modules/audit/merkle';
import { sequenceAudit, testAction } from '../support/audit';
import { createTestApp, dropDatabase, TestApp } from '../support/test-app';
import { databaseUrl, readTestEnvironment } from '../support/test-env';

/** How the former, chained log appended an event (one step of the chain head per event). */
const OLD_APPEND = `
  WITH head AS (
    UPDATE audit_chain_head SET seq = seq + 1, prev_hash = hash, hash = encode(sha256(convert_to(hash || $1::text, 'UTF8')), 'hex') WHERE id = 1
    RETURNING seq, prev_hash, hash)
  INSERT INTO audit_events (seq, created_at, action, actor_type, actor_id, subject_type, subject_id, data, ip, prev_hash, hash)
  SELECT head.seq, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, head.prev_hash, head.hash FROM head`;

const migrations = (upTo?: number) =>
  new DataSource({
    type: 'postgres',
    url,
    migrations: MIGRATIONS.slice(0, upTo),
    migrationsTableName: 'migrations',
    namingStrategy: new SnakeNamingStrategy(),
  });
let url: string;

/** An existing database with events of the chained format upgrades in place: nothing lost, nothing reordered. */
describe('AuditTransparencyLog migration', () => {
  const { templateDatabaseUrl } = readTestEnvironment();
  const database = `ac_audit_upgrade_${process.env.JEST_WORKER_ID ?? '0'}_${Date.now() % 100000}`;
  let t: TestApp | undefined;

  beforeAll(async () => {
    url = databaseUrl(templateDatabaseUrl, database);
    const admin = new Client({ connectionString: databaseUrl(templateDatabaseUrl, 'postgres') });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
  });

  afterAll(async () => {
    await t?.close();
    await dropDatabase(templateDatabaseUrl, database);
  });

  it('carries every chained event into the tree in chain order, then sequences new events after them', async () => {
    const before = MIGRATIONS.indexOf(AuditTransparencyLog1795395150000);
    expect(before).toBeGreaterThan(0);
    const old = await migrations(before).initialize();
    await old.runMigrations({ transaction: 'each' });
    const written: { action: string; data: Record<string, unknown> }[] = [];
    for (let n = 1; n <= 30; n += 1) {
      const content = {
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
        action: n % 3 ? 'sign_in.failed' : 'session.revoked',
        actorType: 'public',
        actorId: null,
        subjectType: 'account',
        subjectId: `10000000000000${String(n).padStart(2, '0')}`,
        data: { n, reason: n % 2 ? 'wrong_password' : 'unknown' },
        ip: n % 4 ? '198.51.100.9' : null,
      };
      written.push({ action: content.action, data: content.data });
      await old.query(OLD_APPEND, [
        canonicalJson(content),
        content.createdAt,
        content.action,
        content.actorType,
        content.actorId,
        content.subjectType,
        content.subjectId,
        JSON.stringify(content.data),
        content.ip,
      ]);
    }
    // The former chain is intact before the upgrade (same check the former verifier made).
    const chain = (await old.query('SELECT seq, prev_hash, hash FROM audit_events ORDER BY seq')) as {
      seq: string;
      prev_hash: string;
      hash: string;
    }[];
    expect(chain.map((row) => Number(row.seq))).toEqual(Array.from({ length: 30 }, (_, n) => n + 1));
    expect(chain.every((row, n) => n === 0 || row.prev_hash === chain[n - 1].hash)).toBe(true);
    await old.destroy();

    const upgraded = await migrations().initialize();
    await expect(upgraded.runMigrations({ transaction: 'each' })).resolves.toHaveLength(MIGRATIONS.length - before);
    const leaves = (await upgraded.query(
      'SELECT l.leaf_index::int AS seq, e.seq::int AS id, e.action, e.data, e.xid::text AS xid, e.nonce FROM audit_leaves l JOIN audit_events e ON e.seq = l.event_id ORDER BY l.leaf_index',
    )) as { seq: number; id: number; action: string; data: Record<string, unknown>; xid: string; nonce: string }[];
    expect(leaves.map((leaf) => [leaf.seq, leaf.id])).toEqual(Array.from({ length: 30 }, (_, n) => [n, n + 1]));
    expect(leaves.map((leaf) => ({ action: leaf.action, data: leaf.data }))).toEqual(written);
    expect(leaves.every((leaf) => leaf.xid === '0' && /^[0-9a-f]{32}$/.test(leaf.nonce))).toBe(true);
    expect(new Set(leaves.map((leaf) => leaf.nonce)).size).toBe(30);
    await expect(upgraded.query(`SELECT to_regclass('audit_chain_head') AS head`)).resolves.toEqual([{ head: null }]);
    // Still append-only.
    await expect(upgraded.query(`UPDATE audit_events SET action = 'x.y' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await upgraded.destroy();

    // The service on the upgraded database: new events follow the carried ones.
    t = await createTestApp({ workers: false, env: { DATABASE_URL: url } });
    await t.dataSource.transaction((manager) =>
      t!.get(AuditService).record(manager, { action: testAction('test.after_upgrade'), actor: { type: 'system' } }),
    );
    expect(await sequenceAudit(t)).toBe(31);
    const [last] = await t.dataSource.query(
      `SELECT l.leaf_index::int AS seq, e.seq::int AS id FROM audit_leaves l JOIN audit_events e ON e.seq = l.event_id WHERE e.action = 'test.after_upgrade'`,
    );
    expect(last).toEqual({ seq: 30, id: 31 });
    await expect(t.get(AuditVerifier).verify()).resolves.toMatchObject({ ok: true, events: 31, checkpointProblems: [] });
    const proof = (await t.get(AuditProofs).inclusion(0))!;
    expect(proof.event).toMatchObject({ id: '1', action: written[0].action, data: written[0].data });
    expect(proof.leafHash).toBe(leafHash(canonicalJson(proof.event)).toString('hex'));
    expect(
      verifyInclusion(
        Buffer.from(proof.leafHash, 'hex'),
        0,
        proof.size,
        proof.inclusionProof.map((hash) => Buffer.from(hash, 'hex')),
        Buffer.from(proof.rootHash, 'hex'),
      ),
    ).toBe(true);
  }, 120_000);
});
