import { randomUUID } from 'node:crypto';
import { encodeCursor } from '../../src/common/pagination';
import { queueQuery, QueueFilters, sortOf } from '../../src/modules/appeals/appeal-queue.service';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Every query the queue page runs has an index to run on (docs/performance.md: a million appeals, every
 * plan on an index). With sequential scans priced out, a plan that still reads `appeals`
 * sequentially has no index it could use.
 */
describe('Appeal queue query plans', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
    await t.dataSource.query(
      `INSERT INTO appeals (id, reference, access_token_hash, status, version, contact_email, locale, claimed_uid, claimed_email, claimed_phone, account_match, changes, evidence,
                            filed_ip, sla_breached, lease_agent_id, created_at, updated_at)
       SELECT gen_random_uuid(), 'AP-' || lpad(translate(upper(to_hex(n)), '0189', 'QRST'), 10, 'Z'), repeat('0', 64),
              (ARRAY['submitted', 'in_review', 'awaiting_customer', 'completed', 'rejected'])[1 + n % 5], 1, 'person' || n || '@example.com', 'en',
              lpad(n::text, 16, '1'), 'old' || n || '@example.com', '+86138' || lpad(n::text, 8, '0'), 'matched', '{"resetPassword": true}', '{"fullName": "x", "description": "y"}',
              '203.0.113.' || (n % 250), n % 97 = 0, NULL, now() - n * interval '1 minute', now()
         FROM generate_series(1, 20000) AS n`,
    );
    await t.dataSource.query('ANALYZE appeals');
  });

  afterAll(async () => {
    await t.close();
  });

  async function plan(filters: QueueFilters): Promise<string> {
    const query = queueQuery(randomUUID(), filters, new Date())!;
    return t.dataSource.transaction(async (manager) => {
      await manager.query('SET LOCAL enable_seqscan = off');
      const rows: { 'QUERY PLAN': string }[] = await manager.query(`EXPLAIN ${query.sql}`, query.params);
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
  }

  /** A page's cursor names its order (`sortOf` the filters) before the row's key: filled in per case. */
  const cursor = "a cursor of the case's order";
  const withCursor = (filters: QueueFilters): QueueFilters =>
    filters.after ? { ...filters, after: encodeCursor([sortOf(filters), '2026-11-22 10:00:00.123456+00', randomUUID()]) } : filters;

  it.each<[string, QueueFilters]>([
    ['the first page', {}],
    ['a page deep by cursor', { after: cursor }],
    ['one status', { status: 'in_review' }],
    ['one status, deep', { status: 'submitted', after: cursor }],
    ['open appeals', { status: 'open', after: cursor }],
    ['SLA breached', { sla: 'breached' }],
    ['mine', { mine: true, after: cursor }],
    ['search by reference', { q: 'AP-ZZZZZZZZZ2' }],
    ['search by email', { q: 'person42@example.com' }],
    ['search by UID', { q: '1111111111111142' }],
    ['search by phone', { q: '+8613800000042' }],
  ])('%s reads appeals by an index', async (_name, filters) => {
    const text = await plan(withCursor(filters));
    expect(text).not.toMatch(/Seq Scan on appeals/);
    expect(text).toMatch(/Index/);
  });
});
