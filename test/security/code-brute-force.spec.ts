import { randomInt } from 'node:crypto';
import { CHALLENGE_RULES } from '../../src/modules/challenges/challenge-limits';
import { api, bearer, controlClock, createAccount, signIn } from '../support/factories';
import { Inbox } from '../support/inbox';
import { createTestApp, TestApp } from '../support/test-app';
import { extractCode } from '../support/smtp-sink';

/** docs/security.md: 1,000 wrong codes never yield a token; lock-outs hold across new challenges and across two API processes. */
describe('Verification code brute force', () => {
  let inbox: Inbox;
  let first: TestApp;
  let second: TestApp;
  let clocks: ReturnType<typeof controlClock>[];

  beforeAll(async () => {
    first = await createTestApp({ inbox: true });
    ({ inbox } = first);
    second = await createTestApp({ sharing: first, workers: false });
    clocks = [controlClock(first), controlClock(second)];
  });

  afterAll(async () => {
    await second.close();
    await first.close();
  });

  /** A 6-digit code that is surely not `code`. */
  const wrongFor = (code: string) => String((Number(code) + randomInt(1, 999_999)) % 1_000_000).padStart(6, '0');

  it('never yields a token from 1,000 wrong codes spread over new challenges and two processes', async () => {
    const account = await createAccount(first);
    const apps = [first, second];
    const answers = new Map<number, number>();
    const count = (status: number) => answers.set(status, (answers.get(status) ?? 0) + 1);
    const rounds = 10;
    let wrongCodes = 0;

    for (let round = 0; round < rounds; round += 1) {
      // Each round is an hour later (both processes' clocks): the lock of the round before has ended.
      if (round > 0) for (const clock of clocks) clock.advance(CHALLENGE_RULES.accountLockMs);
      const token = await signIn(first, account.logonEmail, account.password);
      let challenge: { id: string; code: string } | undefined;
      for (let guesses = 0, turn = 0; guesses < 100; turn += 1) {
        const app = apps[turn % 2];
        const sent = inbox.received(account.logonEmail, 'verification-code').length;
        const started = await api(app)
          .post('/api/v1/verifications')
          .set(bearer(token))
          .send({ purpose: 'change_password', method: 'email' });
        if (started.status === 201) {
          challenge = {
            id: started.body.id as string,
            code: extractCode((await inbox.nth(account.logonEmail, 'verification-code', sent + 1)).text),
          };
        } else {
          // Locked: every new challenge is refused, in either process, with Retry-After; guessing goes on at the last one.
          expect(started.status).toBe(423);
          expect(started.body.code).toBe('VERIFICATION_LOCKED');
          expect(Number(started.headers['retry-after'])).toBeGreaterThan(0);
        }
        for (let i = 0; i < CHALLENGE_RULES.attemptsPerChallenge && guesses < 100; i += 1, guesses += 1, wrongCodes += 1) {
          const guessed = await api(apps[(turn + i) % 2])
            .post(`/api/v1/verifications/${challenge!.id}/verify`)
            .set(bearer(token))
            .send({ code: wrongFor(challenge!.code) });
          count(guessed.status);
          expect(guessed.body.verificationToken).toBeUndefined();
        }
      }
      // The lock holds in both processes until the hour ends.
      for (const app of apps) {
        const refused = await api(app)
          .post('/api/v1/verifications')
          .set(bearer(token))
          .send({ purpose: 'change_password', method: 'email' })
          .expect(423);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3000);
      }
    }

    expect(wrongCodes).toBe(1000);
    expect(answers.get(200)).toBeUndefined();
    // At most 20 wrong codes an hour were even compared; everything after was refused unread.
    expect(answers.get(400)).toBeLessThanOrEqual(CHALLENGE_RULES.accountFailuresPerHour * rounds);
    expect((answers.get(400) ?? 0) + (answers.get(423) ?? 0)).toBe(1000);
  }, 120_000);
});
