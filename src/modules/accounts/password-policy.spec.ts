import { randomBytes } from 'node:crypto';
import { mainThreadCpuPerCall } from '../../../test/support/main-thread-cpu';
import { PasswordPolicy } from './password-policy';

describe(PasswordPolicy.name, () => {
  const policy = new PasswordPolicy();
  const context = { logonEmail: 'ada.lovelace@example.com', uid: '2081536794412356' };
  afterAll(() => policy.onModuleDestroy());
  const rules = async (password: string, extra = {}) => (await policy.violations(password, { ...context, ...extra })).map((v) => v.rule);

  it('accepts a long passphrase of unrelated words', async () => {
    await expect(rules('copper kettle orbit velvet')).resolves.toEqual([]);
  });

  it('refuses passwords shorter than 12 or longer than 128 characters', async () => {
    await expect(rules('Xk9#qL2!vP')).resolves.toContain('length');
    await expect(rules(`${'unrelated words '.repeat(9)}`)).resolves.toEqual(['length']);
    await expect(rules('copper kettle')).resolves.not.toContain('length');
  });

  it('refuses common passwords whatever their case', async () => {
    await expect(rules('Password1234')).resolves.toContain('common');
    await expect(rules('QWERTYUIOPASDFGH'.toLowerCase())).resolves.toContain('weak');
  });

  it('refuses passwords containing the email local part or the UID', async () => {
    await expect(rules('ada.lovelace rides again 99')).resolves.toContain('contains_identity');
    await expect(rules('x2081536794412356y copper kettle')).resolves.toContain('contains_identity');
  });

  it('refuses guessable passwords with a zxcvbn score under 3', async () => {
    await expect(rules('aaaaaaaaaaaaaaaa')).resolves.toContain('weak');
    await expect(rules('abcdefghijkl1234')).resolves.toContain('weak');
  });

  it('refuses the current password, checked through the caller', async () => {
    const isCurrentPassword = async (candidate: string) => candidate === 'copper kettle orbit velvet';
    await expect(rules('copper kettle orbit velvet', { isCurrentPassword })).resolves.toEqual(['same_as_current']);
  });

  it('lists every violation at once with a message each', async () => {
    const found = await policy.violations('ada1', { ...context, logonEmail: 'ada@example.com' });
    expect(found.map((v) => v.rule)).toEqual(['length', 'contains_identity', 'weak']);
    for (const violation of found) expect(violation.message.length).toBeGreaterThan(10);
  });

  it('throws PASSWORD_POLICY with the violations', async () => {
    await expect(policy.assertAcceptable('short', context)).rejects.toMatchObject({
      code: 'PASSWORD_POLICY',
      extras: { violations: expect.any(Array) },
    });
  });

  it('scores off the main thread: a long random password costs the event loop next to nothing', async () => {
    await rules('copper kettle orbit velvet'); // the scorer's thread and dictionaries are loaded
    const randomPassword = (length: number) => randomBytes(length).toString('base64').slice(0, length);
    for (const length of [40, 128, 4096]) {
      const cpu = await mainThreadCpuPerCall(3, () => rules(randomPassword(length)));
      expect(cpu).toBeLessThan(50);
    }
  });

  it('scores only the first characters, so a long strong password is judged by its start', async () => {
    const strong = 'copper kettle orbit velvet';
    await expect(rules(`${strong} ${'z'.repeat(100)}`)).resolves.toEqual([]);
    await expect(rules(`${'a'.repeat(60)}${randomBytes(30).toString('hex')}`)).resolves.toContain('weak');
  });
});
