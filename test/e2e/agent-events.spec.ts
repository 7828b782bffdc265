import { AppealEventsService } from '../../src/modules/appeals/appeal-events.service';
import { AppealReviewService } from '../../src/modules/appeals/appeal-review.service';
import { createAgent as createSignInAgent, TestAgent } from '../support/agents';
import { fileAppeal, versionOf } from '../support/appeals';
import { agentCookies, openStream, OpenStream, StreamEvent } from '../support/event-stream';
import { api, bearer, createAccount } from '../support/factories';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

/**
 * The back-office's live events across two API processes sharing PostgreSQL and Redis: a change
 * made through one reaches the streams the other serves, a stream resumes with Last-Event-ID on
 * either, presence travels the same way, the holder's stream alone marks an answer as theirs,
 * and no note text ever travels.
 */
describe('GET /agent/events across processes', () => {
  let smtp: SmtpSink;
  let one: TestApp;
  let two: TestApp;
  let ana: TestAgent;
  let sam: TestAgent;
  let anaCookies: string;
  let samCookies: string;
  const streams: OpenStream[] = [];

  beforeAll(async () => {
    one = await createTestApp({ smtp: true, listen: true, env: { TRUST_PROXY: 'loopback' } });
    ({ smtp } = one);
    two = await createTestApp({ listen: true, workers: false, sharing: one });
    [ana, sam] = await Promise.all([
      createSignInAgent(one, { name: 'Ana Agent' }),
      createSignInAgent(one, { role: 'supervisor', name: 'Sam Supervisor' }),
    ]);
    [anaCookies, samCookies] = await Promise.all([agentCookies(one.baseUrl!, ana), agentCookies(two.baseUrl!, sam)]);
  });

  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });

  afterAll(async () => {
    await two?.close();
    await one?.close();
  });

  const open = async (app: TestApp, cookies: string, options: { query?: string; lastEventId?: string } = {}) => {
    const stream = await openStream(app.baseUrl!, cookies, options);
    streams.push(stream);
    return stream;
  };
  const file = async () => {
    const owner = await createAccount(one);
    return fileAppeal(one, smtp, { account: { uid: owner.uid } });
  };
  const changeOf = (stream: OpenStream, reference: string, status: string) => () =>
    stream.events.find((event) => event.event === 'appeal.changed' && event.data.reference === reference && event.data.status === status);
  const actor = (who: TestAgent) => ({ id: who.id, role: who.role, ip: '192.0.2.10' });

  it('refuses a visitor without an agent session (303 to the sign-in form)', async () => {
    const response = await fetch(`${one.baseUrl}/agent/events`, { redirect: 'manual' });
    expect([response.status, response.headers.get('location')]).toEqual([303, '/agent/login']);
  });

  it('delivers a change made in one process to streams served by the other, after commit, with the agent name and no note text', async () => {
    const filed = await file();
    const samStream = await open(two, samCookies);
    const anaStream = await open(one, anaCookies);
    expect([samStream.status, anaStream.status]).toEqual([200, 200]);

    const review = one.get(AppealReviewService);
    const claimed = await review.claim(actor(ana), filed.reference, await versionOf(one, actor(ana), filed.reference));
    const seen = await waitFor(changeOf(samStream, filed.reference, 'in_review'), { description: 'the claim on the other process' });
    expect(seen.data).toEqual({ reference: filed.reference, status: 'in_review', version: claimed.version, by: 'Ana Agent' });
    expect(Number(seen.id)).toBeGreaterThan(0);
    // The holder's own stream marks it as theirs; nobody else's does.
    await expect(waitFor(changeOf(anaStream, filed.reference, 'in_review'))).resolves.toMatchObject({ data: { mine: true } });

    // A stale action changes nothing and so publishes nothing; a note publishes its version, never its text.
    await expect(review.claim(actor(sam), filed.reference, claimed.version - 1)).rejects.toThrow();
    const noted = await review.addNote(actor(ana), filed.reference, claimed.version, { body: 'secret internal remark 7731' });
    await waitFor(() => samStream.events.find((event) => event.data.version === noted.version), { description: 'the note event' });
    expect(samStream.events.filter((event) => event.data.reference === filed.reference).map((event) => event.data.version)).toEqual([
      claimed.version,
      noted.version,
    ]);
    expect(samStream.raw + anaStream.raw).not.toContain('secret internal remark');
  });

  it('tells the holder when the person answers, through the stream of the process they are on', async () => {
    const filed = await file();
    const review = one.get(AppealReviewService);
    const claimed = await review.claim(actor(ana), filed.reference, await versionOf(one, actor(ana), filed.reference));
    await review.requestInfo(actor(ana), filed.reference, claimed.version, { message: 'Please send the invoice.' });
    const anaStream = await open(two, await agentCookies(two.baseUrl!, ana));
    const samStream = await open(one, await agentCookies(one.baseUrl!, sam));

    await api(two)
      .post(`/api/v1/appeals/${filed.reference}/messages`)
      .set(bearer(filed.accessToken))
      .send({ body: 'Here it is.' })
      .expect(201);
    const answer = await waitFor(changeOf(anaStream, filed.reference, 'in_review'), { description: "the person's answer" });
    expect(answer.data).toMatchObject({ by: 'the person', mine: true });
    const seenBySam = await waitFor(changeOf(samStream, filed.reference, 'in_review'));
    expect(seenBySam.data).not.toHaveProperty('mine');
    expect(seenBySam.data.by).toBe('the person');
  });

  it('shows who has an appeal open, across processes, until their stream closes', async () => {
    const filed = await file();
    const watcher = await open(one, anaCookies);
    const viewer = await open(two, samCookies, { query: `appeal=${filed.reference}` });
    const presence = (names: string[]) => () =>
      watcher.events.find(
        (event) =>
          event.event === 'presence' &&
          event.data.reference === filed.reference &&
          JSON.stringify(event.data.agents) === JSON.stringify(names),
      );
    await waitFor(presence(['Sam Supervisor']), { description: "Sam's presence" });
    viewer.close();
    await waitFor(presence([]), { description: "Sam's leaving" });
  });

  it('resumes with Last-Event-ID on the other process: what was missed, nothing before it', async () => {
    const [first, second] = await Promise.all([file(), file()]);
    const live = await open(one, anaCookies);
    const review = one.get(AppealReviewService);
    await review.claim(actor(ana), first.reference, await versionOf(one, actor(ana), first.reference));
    const before = await waitFor(changeOf(live, first.reference, 'in_review'));
    live.close();
    // Missed while disconnected:
    await review.claim(actor(sam), second.reference, await versionOf(one, actor(sam), second.reference));

    const resumed = await open(two, anaCookies, { lastEventId: before.id });
    const caught: StreamEvent = await waitFor(changeOf(resumed, second.reference, 'in_review'), { description: 'the missed event' });
    expect(caught.data.by).toBe('Sam Supervisor');
    expect(resumed.events.some((event) => event.data.reference === first.reference && event.event === 'appeal.changed')).toBe(false);
    expect(resumed.raw).toMatch(/^retry: \d+\n\n/);
  });

  it("starts a page's stream where the page read its state: a change made before the stream opened still arrives", async () => {
    const filed = await file();
    const page = await fetch(`${one.baseUrl}/agent/appeals/${filed.reference}`, { headers: { cookie: anaCookies } });
    const since = /data-live-since="(\d+)"/.exec(await page.text())?.[1];
    expect(since).toMatch(/^\d+$/);
    // The person writes while the page is still loading its script: before any stream is open.
    await api(one)
      .post(`/api/v1/appeals/${filed.reference}/messages`)
      .set(bearer(filed.accessToken))
      .send({ body: 'Any news?' })
      .expect(201);
    await waitFor(async () => Number(await one.get(AppealEventsService).latestId()) > Number(since), {
      description: 'the change published',
    });

    const late = await open(two, anaCookies, { query: `appeal=${filed.reference}&since=${since}` });
    const caught = await waitFor(
      () =>
        late.events.find(
          (event) => event.event === 'appeal.changed' && event.data.reference === filed.reference && event.data.by === 'the person',
        ),
      { description: 'the change made before the stream opened' },
    );
    expect(Number(caught.id)).toBeGreaterThan(Number(since));
    // Without a starting point a stream starts from now, as before.
    const fresh = await open(one, anaCookies, { query: `appeal=${filed.reference}` });
    await waitFor(() => fresh.events.find((event) => event.event === 'presence'), { description: 'the fresh stream open' });
    expect(fresh.events.some((event) => event.event === 'appeal.changed' && event.data.reference === filed.reference)).toBe(false);
  });

  it('ends open streams at once when the process shuts down', async () => {
    const extra = await createTestApp({ listen: true, workers: false, sharing: one });
    const stream = await openStream(extra.baseUrl!, anaCookies);
    expect(stream.status).toBe(200);
    expect(stream.cacheControl).toMatch(/no-store/);
    const started = Date.now();
    await extra.close();
    await stream.ended;
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
