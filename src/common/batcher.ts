/**
 * Coalesces concurrent calls into batches, with no timer: a call made while nothing runs starts
 * a batch of one at once; calls made while `maxInFlight` batches run wait and leave together,
 * up to `maxBatch`, when one finishes. Under load batches grow by themselves; when idle nothing
 * waits. Each caller gets its own result, or the batch's error.
 */
export class Batcher<I, O> {
  private readonly waiting: { input: I; resolve: (output: O) => void; reject: (error: unknown) => void }[] = [];
  private inFlight = 0;

  constructor(
    /** Runs one batch; returns one output per input, in order. */
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly options: { readonly maxInFlight?: number; readonly maxBatch?: number } = {},
  ) {}

  call(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.waiting.length && this.inFlight < (this.options.maxInFlight ?? 1)) {
      const batch = this.waiting.splice(0, this.options.maxBatch ?? 500);
      this.inFlight += 1;
      this.run(batch.map((entry) => entry.input))
        .then(
          (outputs) => batch.forEach((entry, index) => entry.resolve(outputs[index])),
          (error: unknown) => batch.forEach((entry) => entry.reject(error)),
        )
        .finally(() => {
          this.inFlight -= 1;
          this.next();
        });
    }
  }
}
