import supertest from 'supertest';
import { AppealReviewService } from '../../src/modules/appeals/appeal-review.service';
import { createAgent, signInAgent, TestAgent } from '../support/agents';
import { fileAppeal, versionOf } from '../support/appeals';
import { createAccount } from '../support/factories';
import { unescapeHtml } from '../support/html';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';

const HEADER = 'week,agent,appeals,first_response_met_pct,resolution_met_pct,median_first_response_h,median_resolution_h,breaches';
const EVE = '=HYPERLINK("http://evil.example","Eve")';

describe('SLA reports (/agent/reports)', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let ana: TestAgent;
  let eve: TestAgent;
  let sam: TestAgent;
  let anaClient: supertest.Agent;
  let samClient: supertest.Agent;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, env: { TRUST_PROXY: 'loopback' } });
    ({ smtp } = t);
    [ana, eve, sam] = await Promise.all([
      createAgent(t, { name: 'Ana, Agent' }),
      createAgent(t, { name: EVE }),
      createAgent(t, { role: 'supervisor', name: 'Sam Supervisor' }),
    ]);
    [anaClient, samClient] = await Promise.all([signInAgent(t, ana), signInAgent(t, sam)]);

    const file = async () => (await fileAppeal(t, smtp, { account: { uid: (await createAccount(t)).uid } })).reference;
    const [rejected, late, quick, nextWeek] = await Promise.all([file(), file(), file(), file()]);
    // Eve rejects one through the workflow: her rejection's message names her as the decider.
    const review = t.get(AppealReviewService);
    const actor = { id: eve.id, role: eve.role, ip: '192.0.2.10' };
    await review.claim(actor, rejected, await versionOf(t, actor, rejected));
    await review.reject(actor, rejected, await versionOf(t, actor, rejected), { reason: 'no match', message: 'We could not match you.' });
    // The SLA figures of ISO week 2026-W49 (Monday 30 November to Sunday 6 December), set as the SLA job would leave them.
    const times = async (reference: string, created: string, answered: string, resolved: string, breachedFirst: string | null) =>
      t.dataSource.query(
        `UPDATE appeals SET created_at = $2, first_response_at = $3, resolved_at = $4, first_response_breached_at = $5
          WHERE reference = $1`,
        [reference, created, answered, resolved, breachedFirst],
      );
    await times(rejected, '2026-11-30T08:00:00Z', '2026-11-30T10:00:00Z', '2026-12-01T08:00:00Z', null);
    await t.dataSource.query(
      `UPDATE appeal_messages SET created_at = '2026-12-01T08:00:00Z' WHERE author = 'agent'
          AND appeal_id = (SELECT id FROM appeals WHERE reference = $1)`,
      [rejected],
    );
    for (const reference of [late, quick, nextWeek])
      await t.dataSource.query(`UPDATE appeals SET approved_by = $2, approved_at = now() WHERE reference = $1`, [reference, ana.id]);
    await times(late, '2026-11-30T00:00:00Z', '2026-12-01T06:00:00Z', '2026-12-02T00:00:00Z', '2026-12-01T00:00:00Z');
    await times(quick, '2026-12-01T00:00:00Z', '2026-12-01T04:00:00Z', '2026-12-01T12:00:00Z', null);
    await times(nextWeek, '2026-12-06T00:00:00Z', '2026-12-06T01:00:00Z', '2026-12-07T12:00:00Z', null);
  });

  afterAll(() => t?.close());

  it('answers the CSV with the header and one row per week and deciding agent, formulas neutralised', async () => {
    const response = await samClient.get('/agent/reports/sla.csv?from=2026-11-30&to=2026-12-06').expect(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="sla-2026-11-30-2026-12-06.csv"');
    expect(response.text.split('\r\n')).toEqual([
      HEADER,
      // By week, then name.
      `2026-W49,"'=HYPERLINK(""http://evil.example"",""Eve"")",1,100,100,2,24,0`,
      // 2 appeals: first responses after 30 h (late) and 4 h; decisions after 48 h and 12 h.
      '2026-W49,"Ana, Agent",2,50,100,17,30,1',
      '',
    ]);
    // The week after is its own row, within its own period.
    const next = await samClient.get('/agent/reports/sla.csv?from=2026-12-07&to=2026-12-13').expect(200);
    expect(next.text).toBe(`${HEADER}\r\n2026-W50,"Ana, Agent",1,100,100,1,36,0\r\n`);
    const empty = await samClient.get('/agent/reports/sla.csv?from=2025-01-01&to=2025-01-31').expect(200);
    expect(empty.text).toBe(`${HEADER}\r\n`);
  });

  it('shows the same figures on the page, with an SVG chart of weekly attainment that a phone can read', async () => {
    const response = await samClient.get('/agent/reports?from=2026-11-30&to=2026-12-06').set('Accept', 'text/html').expect(200);
    const html = unescapeHtml(response.text);
    expect(html).toContain('<a href="/agent/reports/sla.csv?from=2026-11-30&to=2026-12-06" download>Download as CSV</a>');
    const rows = [...html.matchAll(/<tr>\s*((?:<td>[^<]*<\/td>\s*){8})<\/tr>/g)].map((match) =>
      [...match[1].matchAll(/<td>([^<]*)<\/td>/g)].map((cell) => cell[1]),
    );
    expect(rows).toEqual([
      ['2026-W49', EVE, '1', '100', '100', '2', '24', '0'],
      ['2026-W49', 'Ana, Agent', '2', '50', '100', '17', '30', '1'],
    ]);
    // The name is escaped text on the page, never markup.
    expect(response.text).not.toContain('<a href="http://evil.example"');
    const svg = /<svg class="sla-chart" viewBox="0 0 (\d+) (\d+)"[\s\S]*?<\/svg>/.exec(html);
    expect(svg).not.toBeNull();
    // Drawn at most 390 units wide with 15-unit text: on a 390 px phone each label is at least 12 px.
    expect(Number(svg![1])).toBeLessThanOrEqual(390);
    const sizes = [...svg![0].matchAll(/<text[^>]*font-size="(\d+)"/g)].map((match) => Number(match[1]));
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.min(...sizes) * (340 / Number(svg![1]))).toBeGreaterThanOrEqual(12);
    expect(svg![0]).not.toMatch(/<script|on\w+=/i);
    // 2 of the week's 3 decided appeals met every deadline.
    expect(svg![0]).toMatch(/<text class="chart-label"[^>]*>2026-W49<\/text>/);
    expect(svg![0]).toMatch(/<text class="chart-value"[^>]*>66\.7%<\/text>/);
    expect(html).toContain('<td>2026-W49</td><td>3</td><td>66.7%</td>');
  });

  it('is for supervisors: an agent gets 403, a visitor is sent to sign in, and the menu offers it only to supervisors', async () => {
    for (const path of ['/agent/reports', '/agent/reports/sla.csv']) {
      await anaClient.get(path).set('Accept', 'text/html').expect(403);
      await supertest(t.app.getHttpServer()).get(path).set('Accept', 'text/html').expect(303).expect('Location', '/agent/login');
    }
    expect((await anaClient.get('/agent').expect(200)).text).not.toContain('href="/agent/reports"');
    expect((await samClient.get('/agent').expect(200)).text).toContain('href="/agent/reports"');
  });

  it('refuses a period that is not two real days in order', async () => {
    for (const query of [
      'from=2026-02-30&to=2026-03-01',
      'from=2026-12-06&to=2026-11-30',
      'from=yesterday',
      'from=2024-01-01&to=2026-01-01',
    ])
      await samClient.get(`/agent/reports/sla.csv?${query}`).expect(400);
  });
});
