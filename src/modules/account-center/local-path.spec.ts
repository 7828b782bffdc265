import { localPath, signInPath } from './local-path';

describe(localPath.name, () => {
  it('keeps paths of this site, with their query', () => {
    expect(localPath('/security/email')).toBe('/security/email');
    expect(localPath('/security/verify?purpose=change_email')).toBe('/security/verify?purpose=change_email');
  });

  it('falls back for anything that could lead elsewhere or break the header', () => {
    for (const next of [
      '//evil.example',
      '/\\evil.example',
      'https://evil.example/',
      'security',
      '',
      '/a\r\nLocation: x',
      `/${'a'.repeat(600)}`,
      undefined,
      ['/security'],
    ]) {
      expect([next, localPath(next)]).toEqual([next, '/security']);
    }
  });
});

describe(signInPath.name, () => {
  it('names the page to come back to, unless it is the default', () => {
    expect(signInPath('/security/sessions')).toBe('/login?next=%2Fsecurity%2Fsessions');
    expect(signInPath('/security')).toBe('/login');
    expect(signInPath('//evil.example')).toBe('/login');
  });
});
