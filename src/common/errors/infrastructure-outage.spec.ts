import { runInNewContext } from 'node:vm';
import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { isInfrastructureOutage } from './infrastructure-outage';

describe(isInfrastructureOutage.name, () => {
  it('recognises socket errors made in another realm (Node core errors seen from a VM context)', () => {
    const foreign = runInNewContext("Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })") as unknown;
    expect(foreign instanceof Error).toBe(false);
    expect(isInfrastructureOutage(foreign)).toBe(true);
  });

  it('recognises a query runner TypeORM released because its connection died', () => {
    expect(isInfrastructureOutage(new QueryRunnerAlreadyReleasedError())).toBe(true);
    expect(isInfrastructureOutage(new QueryRunnerProviderAlreadyReleasedError())).toBe(true);
  });

  it('leaves ordinary failures to be bugs', () => {
    expect(isInfrastructureOutage(new TypeError("Cannot read properties of undefined (reading 'uid')"))).toBe(false);
    expect(isInfrastructureOutage({ code: 'ECONNRESET', message: 'not an error at all' })).toBe(false);
  });
});
