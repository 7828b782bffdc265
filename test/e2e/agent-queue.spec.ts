import { randomUUID } from 'node:crypto';
import supertest from 'supertest';
import { encodeCursor } from '../../src/common/pagination';
import { queueQuery } from '../../src/modules/appeals/appeal-queue.service';
import { createAgent, signInAgent, TestAgent } from '../support/agents';
import { uniqueEmail } from '../support/factories';
import { fieldError, unescapeHtml } from '../support/html';
import { createTestApp, TestApp } from '../support/test-app';

/** The queue's default view (open appeals by their next deadline), its other orders and views, and the search by name and phone. */
describe('Agent queue: default view, orders and search', () => {
  let t: TestApp;
  let agent: TestAgent;
  let client: supertest.Agent;
  let serial = 0;

  beforeAll(async () => {
    t = await createTestApp();
    agent = await createAgent(t, { name: 'Quinn Queue' });
    client = await signInAgent(t, agent);
  });

  afterAll(async () => {
    await t.close();
  });

  const queueRows = (html: string) =>
    [...html.matchAll(/<a class="mono" href="\/agent\/appeals\/(AP-[A-Z2-7]{10})">/g)].map((match) => match[1]);
  const listed = async (query: string) => queueRows((await client.get(`/agent/appeals${query}`).expect(200)).text);

  /** A reference no other appeal of this file has: AP- and ten letters of the base-32 alphabet. */
  const reference = () => {
    serial += 1;
    let digits = '';
    for (let n = serial; n > 0; n = Math.floor(n / 32)) digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[n % 32] + digits;
    return `AP-Q${digits.padStart(9, 'A')}`;
  };

  /** An appeal written as the filing writes it, with the SLA columns, the name and the phone given. */
  async function insert(appeal: {
    status: string;
    contact: string;
    createdMinutesAgo: number;
    firstResponseInMinutes?: number | null;
    resolutionInMinutes?: number | null;
    fullName?: string;
    phone?: string;
  }): Promise<string> {
    const ref = reference();
    await t.dataSource.query(
      `INSERT INTO appeals (id, reference, access_token_hash, status, version, contact_email, locale, account_match, changes, evidence,
                            claimed_phone, first_response_due_at, resolution_due_at, created_at, updated_at)
       VALUES ($1, $2, repeat('0', 64), $3, 1, $4, 'en', 'unmatched', '{"resetPassword": true}', jsonb_build_object('fullName', $5::text, 'description', 'y'),
               $6, now() + $7 * interval '1 minute', now() + $8 * interval '1 minute', now() - $9 * interval '1 minute', now())`,
      [
        randomUUID(),
        ref,
        appeal.status,
        appeal.contact,
        appeal.fullName ?? 'Queue Person',
        appeal.phone ?? null,
        appeal.firstResponseInMinutes ?? null,
        appeal.resolutionInMinutes ?? null,
        appeal.createdMinutesAgo,
      ],
    );
    return ref;
  }

  it('lists open appeals by their next deadline by default, and closed or all of them when asked', async () => {
    const contact = uniqueEmail('views');
    const later = await insert({
      status: 'submitted',
      contact,
      createdMinutesAgo: 50,
      firstResponseInMinutes: 180,
      resolutionInMinutes: 4000,
    });
    const soonest = await insert({ status: 'in_review', contact, createdMinutesAgo: 40, resolutionInMinutes: 60 });
    const paused = await insert({ status: 'awaiting_customer', contact, createdMinutesAgo: 60 });
    const overdue = await insert({
      status: 'submitted',
      contact,
      createdMinutesAgo: 65,
      firstResponseInMinutes: -5,
      resolutionInMinutes: 3000,
    });
    const completed = await insert({ status: 'completed', contact, createdMinutesAgo: 70 });
    const rejected = await insert({ status: 'rejected', contact, createdMinutesAgo: 20 });

    const page = await client.get('/agent/appeals').expect(200);
    const onPage = queueRows(page.text);
    const mine = [later, soonest, paused, overdue, completed, rejected];
    expect(onPage.filter((ref) => mine.includes(ref))).toEqual([overdue, soonest, later, paused]);
    expect(page.text).toContain('<h2 id="queue-heading" class="queue-order">Open appeals, next deadline soonest first</h2>');
    // The default view is the Open tab's.
    expect(unescapeHtml(page.text)).toContain('<a href="/agent/appeals?status=open" aria-current="page">Open</a>');
    // A tab without a status of its own (Mine) is current on its own view, which holds open appeals.
    const mineTab = unescapeHtml((await client.get('/agent/appeals?mine=1').expect(200)).text);
    expect(mineTab).toContain('<a href="/agent/appeals?mine=1" aria-current="page">Mine</a>');
    expect(mineTab).toContain('<a href="/agent/appeals?status=open">Open</a>');

    const q = `q=${encodeURIComponent(contact)}`;
    await expect(listed(`?${q}`)).resolves.toEqual([overdue, soonest, later, paused]);
    await expect(listed(`?${q}&status=open`)).resolves.toEqual([overdue, soonest, later, paused]);
    await expect(listed(`?${q}&sort=newest`)).resolves.toEqual([soonest, later, paused, overdue]);
    await expect(listed(`?${q}&status=closed`)).resolves.toEqual([completed, rejected]);
    await expect(listed(`?${q}&status=all`)).resolves.toEqual([completed, overdue, paused, later, soonest, rejected]);
    await expect(listed(`?${q}&status=all&sort=newest`)).resolves.toEqual([rejected, soonest, later, paused, overdue, completed]);
    const all = await client.get(`/agent/appeals?${q}&status=all`).expect(200);
    expect(all.text).toContain('All appeals, oldest first');
    expect(all.text).toContain('<option value="all" selected>All, open and closed</option>');
  });

  it('pages through the deadline order by its cursor, ties and appeals without a deadline included, and refuses a cursor of another order', async () => {
    const contact = uniqueEmail('deadline-pages');
    for (let n = 0; n < 110; n += 1)
      await insert({
        status: n % 7 === 0 ? 'awaiting_customer' : 'submitted',
        contact,
        createdMinutesAgo: 500 - n,
        // Every fifth appeal shares its deadline with another one.
        firstResponseInMinutes: n % 7 === 0 ? null : 60 + (n % 5 === 0 ? 0 : (n * 37) % 400),
        resolutionInMinutes: n % 7 === 0 ? null : 5000,
      });
    const expected = (
      (await t.dataSource.query(
        `SELECT reference FROM appeals WHERE contact_email = $1
          ORDER BY COALESCE(LEAST(first_response_due_at, resolution_due_at), 'infinity'::timestamptz), id`,
        [contact],
      )) as { reference: string }[]
    ).map((row) => row.reference);
    const seen: string[] = [];
    const sizes: number[] = [];
    let href: string | undefined = `/agent/appeals?q=${encodeURIComponent(contact)}`;
    while (href) {
      const page: supertest.Response = await client.get(href).expect(200);
      const references = queueRows(page.text);
      sizes.push(references.length);
      seen.push(...references);
      const next = /<a href="([^"]+)" rel="next">Next 50 appeals<\/a>/.exec(page.text)?.[1];
      href = next && unescapeHtml(next);
    }
    expect(sizes).toEqual([50, 50, 10]);
    expect(seen).toEqual(expected);

    // A cursor is opaque and names its order: one of the filing order does not continue the deadline order.
    const [row] = (await t.dataSource.query(`SELECT created_at::text AS at, id FROM appeals WHERE reference = $1`, [expected[10]])) as {
      at: string;
      id: string;
    }[];
    const oldest = encodeCursor(['oldest', row.at, row.id]);
    await expect(listed(`?status=all&after=${oldest}`)).resolves.toBeDefined();
    const refused = await client.get(`/agent/appeals?after=${oldest}`).expect(400);
    expect(refused.text).toContain('This page link is out of date or was changed.');
    const edited = await client.get(`/agent/appeals?after=${encodeCursor(['deadline', 'tomorrow', row.id])}`).expect(400);
    expect(edited.text).toContain('This page link is out of date or was changed.');
    // Closed appeals have no deadline to sort by: said beside the order's field.
    const mixed = await client.get('/agent/appeals?status=all&sort=deadline').expect(400);
    expect(fieldError(mixed.text, 'sort')).toContain('Only open appeals have a deadline to sort by');
  });

  it('reads the default order from its partial index, without sorting', async () => {
    const query = queueQuery(agent.id, {}, new Date())!;
    const plan = await t.dataSource.transaction(async (manager) => {
      // A test database is small: tell the planner to prefer an index whenever one can serve the query, then check this one can.
      await manager.query('SET LOCAL enable_seqscan = off');
      await manager.query('SET LOCAL enable_bitmapscan = off');
      await manager.query('SET LOCAL enable_sort = off');
      const rows = (await manager.query(`EXPLAIN ${query.sql}`, query.params)) as { 'QUERY PLAN': string }[];
      return rows.map((line) => line['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('appeals_open_deadline_idx');
    expect(plan).not.toMatch(/Sort Key/);
  });

  it('finds a person by the start of their full name, whatever its case', async () => {
    const contact = uniqueEmail('names');
    const wei = await insert({ status: 'submitted', contact, createdMinutesAgo: 30, fullName: 'Zhang Wei' });
    const san = await insert({ status: 'completed', contact, createdMinutesAgo: 20, fullName: 'ZHANGSAN Li' });
    const other = await insert({ status: 'submitted', contact, createdMinutesAgo: 10, fullName: 'Wei Zhang' });

    await expect(listed('?q=zhang&status=all')).resolves.toEqual([wei, san]);
    await expect(listed('?q=zhang')).resolves.toEqual([wei]);
    await expect(listed(`?q=${encodeURIComponent('  zhang   WEI ')}&status=all`)).resolves.toEqual([wei]);
    await expect(listed('?q=wei&status=all')).resolves.toEqual([other]);
    // LIKE's wildcards are searched for as typed, not as wildcards.
    await expect(listed(`?q=${encodeURIComponent('z%')}&status=all`)).resolves.toEqual([]);
    await expect(listed(`?q=${encodeURIComponent('_hang')}&status=all`)).resolves.toEqual([]);

    const plan = await t.dataSource.transaction(async (manager) => {
      await manager.query('SET LOCAL enable_seqscan = off');
      const rows = (await manager.query(`EXPLAIN SELECT id FROM appeals a WHERE lower(a.evidence ->> 'fullName') LIKE $1`, ['zhang%'])) as {
        'QUERY PLAN': string;
      }[];
      return rows.map((line) => line['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('appeals_full_name_idx');
  });

  it('finds a phone typed without its country code, with it, spaced, or with digits only', async () => {
    const contact = uniqueEmail('phones');
    const phone = await insert({ status: 'submitted', contact, createdMinutesAgo: 30, phone: '+8613800138000' });
    const us = await insert({ status: 'in_review', contact, createdMinutesAgo: 20, phone: '+14155550134' });
    await insert({ status: 'submitted', contact, createdMinutesAgo: 10, phone: '+8613900139000' });

    for (const typed of ['13800138000', '+8613800138000', '138 0013 8000', '8613800138000', '0086 138 0013 8000'])
      await expect(listed(`?q=${encodeURIComponent(typed)}&status=all`)).resolves.toEqual([phone]);
    await expect(listed(`?q=${encodeURIComponent('(415) 555-0134')}&status=all`)).resolves.toEqual([us]);
    await expect(listed('?q=12345&status=all')).resolves.toEqual([]);
  });
});
