import { DataSource } from 'typeorm';
import { isTransactionConflict, retryTransactionConflicts, TRANSACTION_ATTEMPTS } from './transaction-retry';

/** A stand-in with only `transaction`: its callback fails `failures` times with `code`, then commits. */
function flaky(code: string, failures: number) {
  let runs = 0;
  const dataSource = {
    transaction: async (work: () => Promise<string>) => {
      runs += 1;
      if (runs <= failures) throw Object.assign(new Error('lost the race'), { driverError: { code } });
      return work();
    },
  } as unknown as DataSource;
  return { dataSource: retryTransactionConflicts(dataSource, async () => undefined), runs: () => runs };
}

describe('retryTransactionConflicts', () => {
  it.each(['40P01', '40001'])('runs a transaction rolled back with %s again until it commits', async (code) => {
    const { dataSource, runs } = flaky(code, TRANSACTION_ATTEMPTS - 1);
    await expect(dataSource.transaction(async () => 'committed')).resolves.toBe('committed');
    expect(runs()).toBe(TRANSACTION_ATTEMPTS);
  });

  it('gives up after its attempts, with the error (answered 503, never 500)', async () => {
    const { dataSource, runs } = flaky('40P01', TRANSACTION_ATTEMPTS);
    await expect(dataSource.transaction(async () => 'committed')).rejects.toThrow('lost the race');
    expect(runs()).toBe(TRANSACTION_ATTEMPTS);
  });

  it('does not run again for any other error', async () => {
    const { dataSource, runs } = flaky('23505', 1);
    await expect(dataSource.transaction(async () => 'committed')).rejects.toThrow('lost the race');
    expect(runs()).toBe(1);
  });

  it('knows the codes on the error, its driverError or its cause', () => {
    expect(isTransactionConflict({ code: '40001' })).toBe(true);
    expect(isTransactionConflict(new Error('x', { cause: { driverError: { code: '40P01' } } }))).toBe(true);
    expect(isTransactionConflict({ code: '23505' })).toBe(false);
    expect(isTransactionConflict(undefined)).toBe(false);
  });
});
