import { prefixOf } from '../../common/client-address';

/**
 * The network a sign-in comes from, as device trust sees it: the IPv4 /24 or the IPv6 /48
 * (IPv4-mapped IPv6 counts as IPv4). Anything unreadable is its own network.
 */
export function networkOf(ip: string): string {
  return prefixOf(ip, 24, 48);
}
