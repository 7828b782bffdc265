import { performance } from 'node:perf_hooks';
import { answerNoSoonerThan } from './answer-floor';

describe(answerNoSoonerThan.name, () => {
  const FLOOR_MS = 40;
  const elapsed = async (work: () => Promise<unknown>) => {
    const began = performance.now();
    await work().catch(() => undefined);
    return performance.now() - began;
  };

  it('holds a quick answer until the floor, and keeps its result', async () => {
    let result: string | undefined;
    const took = await elapsed(async () => {
      result = await answerNoSoonerThan(FLOOR_MS, async () => 'done');
    });
    expect(result).toBe('done');
    expect(took).toBeGreaterThanOrEqual(FLOOR_MS);
  });

  it('holds an error until the floor too, and rethrows it', async () => {
    const failing = answerNoSoonerThan(FLOOR_MS, async () => {
      throw new Error('refused');
    });
    await expect(failing).rejects.toThrow('refused');
    expect(await elapsed(() => answerNoSoonerThan(FLOOR_MS, () => Promise.reject(new Error('refused'))))).toBeGreaterThanOrEqual(FLOOR_MS);
  });

  it('adds nothing to an answer slower than the floor', async () => {
    const slow = () => new Promise<string>((resolve) => setTimeout(() => resolve('late'), FLOOR_MS * 2));
    await expect(answerNoSoonerThan(FLOOR_MS, slow)).resolves.toBe('late');
  });
});
