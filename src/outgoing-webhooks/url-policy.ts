import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { AppError } from '../platform/errors';

/**
 * Where a webhook may be sent. The same rule as request-filtering-agent, which enforces it again at
 * connect time on the address actually dialled: only `unicast` (public) addresses, unless the
 * address is inside one of the allowed CIDRs (WEBHOOK_ALLOWED_CIDRS, the only bypass).
 */
export function blockedRange(address: string, allowedCidrs: readonly string[]): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return 'unparsable';
  }
  for (const entry of allowedCidrs) {
    if (isIP(entry) !== 0 && ipaddr.parse(entry).toString() === parsed.toString()) return null;
    if (entry.includes('/')) {
      const cidr = ipaddr.parseCIDR(entry);
      if (cidr[0].kind() === parsed.kind() && parsed.match(cidr)) return null;
    }
  }
  const range = parsed.range();
  return range === 'unicast' ? null : range;
}

const RANGE_WORDS: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  linkLocal: 'a link-local address (cloud metadata lives there)',
  uniqueLocal: 'a private (unique local) address',
  unspecified: 'an unspecified address',
  carrierGradeNat: 'a carrier-grade NAT address',
  multicast: 'a multicast address',
  broadcast: 'a broadcast address',
  reserved: 'a reserved address',
  ipv4Mapped: 'an IPv4-mapped address',
};

function blocked(host: string, range: string): AppError {
  return new AppError(
    'blocked-address',
    422,
    `The webhook URL's host ${host} is ${RANGE_WORDS[range] ?? `a ${range} address`}; only public addresses can receive webhooks.`,
  );
}

function invalidUrl(detail: string): AppError {
  return new AppError('invalid-url', 422, detail);
}

const LOOKUP_TIMEOUT_MS = 2_000;

/**
 * Checks a receiver URL when it is stored: scheme (https: only in production), no credentials, and
 * every address its host names or resolves to. A name that does not resolve yet is accepted: the
 * connect-time check refuses it later if it then resolves somewhere internal.
 */
export async function checkWebhookUrl(raw: string, policy: { httpsOnly: boolean; allowedCidrs: readonly string[] }): Promise<void> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidUrl('The webhook URL is not an absolute URL.');
  }
  const schemes = policy.httpsOnly ? ['https:'] : ['https:', 'http:'];
  if (!schemes.includes(url.protocol)) throw invalidUrl(`The webhook URL must use ${schemes.join(' or ')}.`);
  if (url.username !== '' || url.password !== '') throw invalidUrl('The webhook URL must not carry a user name or password.');
  if (url.hostname === '') throw invalidUrl('The webhook URL has no host.');
  if (url.hash !== '') throw invalidUrl('The webhook URL must not have a fragment.');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) !== 0 ? [host] : await resolve(host);
  for (const address of addresses) {
    const range = blockedRange(address, policy.allowedCidrs);
    if (range) throw blocked(host === address ? host : `${host} (${address})`, range);
  }
}

async function resolve(host: string): Promise<string[]> {
  if (host === 'localhost' || host.endsWith('.localhost')) return ['127.0.0.1', '::1'];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), LOOKUP_TIMEOUT_MS);
  });
  try {
    const found = lookup(host, { all: true, verbatim: true })
      .then((list) => list.map((a) => a.address))
      .catch(() => []);
    return await Promise.race([found, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
