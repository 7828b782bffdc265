import { availableParallelism } from 'node:os';
import { PasswordHasher } from './password-hasher';

describe(PasswordHasher.name, () => {
  const hasher = new PasswordHasher();

  it('hashes with argon2id, m = 19456 KiB, t = 2, p = 1, and checks the password against it', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(hasher.verify(hash, 'correct horse battery staple')).resolves.toBe(true);
    await expect(hasher.verify(hash, 'Correct horse battery staple')).resolves.toBe(false);
  });

  it('still does the work, and says no, without a hash', async () => {
    await expect(hasher.verify(undefined, 'no account has this password')).resolves.toBe(false);
  });

  it('queues hashes beyond one per core and runs every one of them', async () => {
    const passwords = Array.from({ length: availableParallelism() * 2 + 1 }, (_, n) => `password number ${n}`);
    const hashes = await Promise.all(passwords.map((password) => hasher.hash(password)));
    const checks = await Promise.all(hashes.map((hash, n) => hasher.verify(hash, passwords[n])));
    expect(checks).toEqual(passwords.map(() => true));
  });
});
