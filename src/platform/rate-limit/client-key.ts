import ipaddr from 'ipaddr.js';

/**
 * The key under which a client address is counted by every limit keyed by address (sign-in
 * throttles, registration, first-admin setup). One IPv6 host usually holds a whole /64 (SLAAC,
 * privacy addresses, a provider's delegation), so counting each of its 2^64 addresses apart would
 * let it rotate past any limit: an IPv6 address counts as its /64. An IPv4-mapped IPv6 address
 * (`::ffff:198.51.100.7`, how a dual-stack socket reports IPv4 peers) counts as the IPv4 address.
 */
export function clientKeyOf(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // Drops a zone (fe80::1%eth0): the zone names the local interface, not the client.
    parsed = ipaddr.parse(address.replace(/%.*$/, ''));
  } catch {
    return address;
  }
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const v6 = parsed as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  const network = v6.parts.slice(0, 4).map((p) => p.toString(16));
  return `${network.join(':')}::/64`;
}
