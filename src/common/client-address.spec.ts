import { addressKey, prefixOf } from './client-address';

describe(addressKey.name, () => {
  it.each([
    ['203.0.113.77', '203.0.113.77'],
    ['::ffff:198.51.100.7', '198.51.100.7'],
    ['2001:db8:1:2::5', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:ffff:0:0:1', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['not an address', 'not an address'],
  ])('counts %s as %s', (ip, key) => {
    expect(addressKey(ip)).toBe(key);
  });

  it('puts every address of one IPv6 /64 under one key, and the next /64 apart', () => {
    expect(addressKey('2001:db8:aa:bb:1::1')).toBe(addressKey('2001:db8:aa:bb:ffff:ffff:ffff:ffff'));
    expect(addressKey('2001:db8:aa:bb::1')).not.toBe(addressKey('2001:db8:aa:bc::1'));
  });
});

describe(prefixOf.name, () => {
  it('gives the back-office lockout network: IPv4 /24, IPv6 /64', () => {
    expect(prefixOf('198.51.100.9', 24, 64)).toBe('198.51.100.0/24');
    expect(prefixOf('2001:db8:1:2:3::4', 24, 64)).toBe('2001:db8:1:2::/64');
  });
});
