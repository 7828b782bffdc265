import { isIPv4, isIPv6 } from 'node:net';

/**
 * The network a sign-in comes from, as device trust sees it: the IPv4 /24 or the IPv6 /48
 * (IPv4-mapped IPv6 counts as IPv4). Anything unreadable is its own network.
 */
export function networkOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const address = mapped ? mapped[1] : ip;
  if (isIPv4(address)) return `${address.split('.').slice(0, 3).join('.')}.0/24`;
  if (isIPv6(address)) {
    const groups = expandIPv6(address.split('%')[0]).slice(0, 3).map((group) => group.replace(/^0+(?=.)/, ''));
    return `${groups.join(':')}::/48`;
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
