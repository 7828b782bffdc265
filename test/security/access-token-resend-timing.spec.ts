import { UrgentNotificationsProcessor } from '../../src/modules/notifications/urgent-notifications.processor';
import { fileAppeal, FiledAppeal } from '../support/appeals';
import { api, createAccount, uniqueEmail, uniqueIp } from '../support/factories';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';
import { bestOfThree, elapsedMs, median } from '../support/timing';

/**
 * Finding 9: an access-token resend whose reference and email match writes a token, a message and
 * an audit event, and one that does not match writes nothing; both must answer in the same time
 * (median within 20%, as the other enumeration checks), or the time tells who filed an appeal.
 * Both kinds are timed in one loop, turn about; these machines are shared: three runs at most.
 */
describe('Appeal access-token resends say nothing by their timing', () => {
  const ROUNDS = 30;
  const TOLERANCE = 1.2;
  let smtp: SmtpSink;
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, env: { TRUST_PROXY: 'loopback' } });
    ({ smtp } = t);
  });

  afterAll(() => t.close());

  const resend = (reference: string, email: string) =>
    api(t).post('/api/v1/appeals/access-token-resends').set('X-Forwarded-For', uniqueIp()).send({ reference, email });

  it('answers a matching and a non-matching request alike: same 202, same body, median time within 20%', async () => {
    // 5 resends an hour per contact email: enough appeals for every matching request of three runs.
    const appeals: FiledAppeal[] = [];
    for (let n = 0; n < 20; n += 1) appeals.push(await fileAppeal(t, smtp, { account: { uid: (await createAccount(t)).uid } }));
    const bodies = new Set<string>();
    let matchedTurn = 0;
    let unmatchedTurn = 0;

    const measure = async () => {
      const timings = { matched: [] as number[], unmatched: [] as number[] };
      // Deliveries of the tokens sent would share the event loop with the timed requests.
      const deliveries = t.get(UrgentNotificationsProcessor).worker;
      await deliveries.pause();
      try {
        for (let round = 0; round < ROUNDS; round += 1) {
          for (const kind of round % 2 ? (['matched', 'unmatched'] as const) : (['unmatched', 'matched'] as const)) {
            const appeal = appeals[kind === 'matched' ? (matchedTurn += 1) % appeals.length : (unmatchedTurn += 1) % appeals.length];
            // The same appeal is looked up either way: only whether the email matches differs.
            const email = kind === 'matched' ? appeal.contactEmail : uniqueEmail('stranger');
            const started = process.hrtime.bigint();
            const response = await resend(appeal.reference, email);
            const elapsed = elapsedMs(started);
            if (round > 0) timings[kind].push(elapsed);
            expect(response.status).toBe(202);
            bodies.add(`${response.headers['content-type']} ${JSON.stringify(response.body)}`);
          }
        }
      } finally {
        deliveries.resume();
      }
      const [fast, slow] = [median(timings.matched), median(timings.unmatched)].sort((a, b) => a - b);
      return slow / fast;
    };

    expect(await bestOfThree(TOLERANCE, measure)).toBeLessThan(TOLERANCE);
    expect(bodies.size).toBe(1);
  }, 180_000);
});
