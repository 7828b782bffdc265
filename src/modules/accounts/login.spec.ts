import { parseLogin } from './login';

describe(parseLogin.name, () => {
  it('reads an email login, normalised, with a case-insensitive key', () => {
    expect(parseLogin('  Ada@Example.COM ')).toEqual({ kind: 'email', email: 'Ada@example.com', key: 'ada@example.com' });
  });

  it('reads <loginName>@<uid> as a RAM user', () => {
    expect(parseLogin('Deploy.bot@1234567890123456')).toEqual({
      kind: 'ram_user',
      loginName: 'Deploy.bot',
      uid: '1234567890123456',
      key: 'deploy.bot@1234567890123456',
    });
  });

  it.each(['alice@0234567890123456', 'alice@123456789012345', 'alice@12345678901234567', 'a b@1234567890123456', '@1234567890123456'])(
    'takes %p for an email, not a RAM login',
    (login) => {
      expect(parseLogin(login).kind).toBe('email');
    },
  );
});
