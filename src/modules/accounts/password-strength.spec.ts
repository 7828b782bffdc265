import { waitFor } from '../../../test/support/wait-for';
import { PasswordStrengthScorer } from './password-strength';

describe('PasswordStrengthScorer', () => {
  it('ends its thread when idle and starts it again at the next scoring', async () => {
    const scorer = new PasswordStrengthScorer(300);
    try {
      expect(scorer.running).toBe(false);
      expect(await scorer.score('password', [])).toMatchObject({ common: true, score: 0 });
      await waitFor(() => !scorer.running, { timeoutMs: 10_000, description: 'the idle scorer to end its thread' });
      const verdict = await scorer.score('quiet harbour lantern violet', []);
      expect(verdict.common).toBe(false);
      expect(verdict.score).toBeGreaterThanOrEqual(3);
      expect(scorer.running).toBe(true);
    } finally {
      await scorer.close();
    }
  }, 60_000);
});
