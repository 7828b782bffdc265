import { Batcher } from './batcher';

/** A batch function whose batches the test finishes by hand. */
function controlled() {
  const batches: { inputs: number[]; finish: () => void; fail: (error: Error) => void }[] = [];
  const run = (inputs: number[]) =>
    new Promise<string[]>((resolve, reject) =>
      batches.push({ inputs, finish: () => resolve(inputs.map((input) => `#${input}`)), fail: reject }),
    );
  return { batches, run };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe(Batcher.name, () => {
  it('runs a lone call at once, and groups the calls made meanwhile into the next batch', async () => {
    const { batches, run } = controlled();
    const batcher = new Batcher(run);
    const first = batcher.call(1);
    const rest = [2, 3, 4].map((input) => batcher.call(input));
    expect(batches.map((batch) => batch.inputs)).toEqual([[1]]);
    batches[0].finish();
    await expect(first).resolves.toBe('#1');
    expect(batches.map((batch) => batch.inputs)).toEqual([[1], [2, 3, 4]]);
    batches[1].finish();
    await expect(Promise.all(rest)).resolves.toEqual(['#2', '#3', '#4']);
  });

  it('keeps to maxInFlight and maxBatch', async () => {
    const { batches, run } = controlled();
    const batcher = new Batcher(run, { maxInFlight: 2, maxBatch: 2 });
    const calls = [1, 2, 3, 4, 5, 6].map((input) => batcher.call(input));
    expect(batches.map((batch) => batch.inputs)).toEqual([[1], [2]]);
    batches[0].finish();
    await settle();
    expect(batches.map((batch) => batch.inputs)).toEqual([[1], [2], [3, 4]]);
    batches[1].finish();
    batches[2].finish();
    await settle();
    expect(batches.map((batch) => batch.inputs)).toEqual([[1], [2], [3, 4], [5, 6]]);
    batches[3].finish();
    await expect(Promise.all(calls)).resolves.toEqual(['#1', '#2', '#3', '#4', '#5', '#6']);
  });

  it('rejects every call of a failed batch, and goes on with the next', async () => {
    const { batches, run } = controlled();
    const batcher = new Batcher(run);
    const first = batcher.call(1);
    const [second, third] = [batcher.call(2), batcher.call(3)];
    batches[0].finish();
    await first;
    await settle();
    batches[1].fail(new Error('connection lost'));
    await expect(second).rejects.toThrow('connection lost');
    await expect(third).rejects.toThrow('connection lost');
    await settle();
    const fourth = batcher.call(4);
    batches[2].finish();
    await expect(fourth).resolves.toBe('#4');
  });
});
