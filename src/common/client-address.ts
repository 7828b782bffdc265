import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key every throttle counts a client address under: an IPv4 address as it is, an IPv6
 * address by its /64 (one subscriber's link: rotating within it changes nothing). IPv4-mapped
 * IPv6 counts as IPv4; anything unreadable is its own key.
 */
export function addressKey(ip: string): string {
  return prefixOf(ip, 32, 64);
}

/**
 * The network an address belongs to, at the given prefix lengths (e.g. IPv4 /24 and IPv6 /48
 * for device trust, /24 and /64 for the back-office lockout), written as `<prefix>/<bits>`.
 * IPv4-mapped IPv6 counts as IPv4; anything unreadable is its own network.
 */
export function prefixOf(ip: string, ipv4Bits: 8 | 16 | 24 | 32, ipv6Bits: 16 | 32 | 48 | 64 | 128): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const address = mapped ? mapped[1] : ip;
  if (isIPv4(address)) {
    const octets = address.split('.');
    const kept = ipv4Bits / 8;
    return ipv4Bits === 32 ? address : `${[...octets.slice(0, kept), ...Array<string>(4 - kept).fill('0')].join('.')}/${ipv4Bits}`;
  }
  const bare = ip.split('%')[0];
  if (isIPv6(bare)) {
    const groups = expandIPv6(bare)
      .slice(0, ipv6Bits / 16)
      .map((group) => group.replace(/^0+(?=.)/, ''));
    return ipv6Bits === 128 ? groups.join(':') : `${groups.join(':')}::/${ipv6Bits}`;
  }
  return ip;
}

/** The eight groups of an IPv6 address, `::` expanded (an embedded IPv4 tail becomes two groups). */
function expandIPv6(address: string): string[] {
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    text = `${text.slice(0, -v4[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((group) => group.toLowerCase());
}
