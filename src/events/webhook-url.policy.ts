import { BlockList, isIP } from 'node:net';

/**
 * Where company webhooks may be sent (SSRF). In production: https only, and never to a loopback, private,
 * link-local or otherwise non-public address, checked when the URL is saved and again at every delivery on the
 * addresses the host resolves to (the request then connects to the address that was checked, so a DNS answer
 * that changes in between cannot point it inside). Outside production a loopback address is also accepted, over
 * http or https, for local receivers; private ranges never are.
 */
const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6');

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

export interface WebhookUrlPolicy {
  /** Outside production: loopback addresses (and http to them) are accepted. */
  allowLoopback: boolean;
}

/** An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is judged as the IPv4 address it carries. */
function normalise(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1], family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export function isLoopbackAddress(address: string): boolean {
  const { address: a, family } = normalise(address);
  return LOOPBACK.check(a, family);
}

/** Why an address may not receive webhooks, or null when it may. */
export function refuseAddress(address: string, policy: WebhookUrlPolicy): string | null {
  if (isIP(address) === 0) return `${address} is not an IP address`;
  const { address: a, family } = normalise(address);
  if (policy.allowLoopback && LOOPBACK.check(a, family)) return null;
  if (NON_PUBLIC.check(a, family)) return `${address} is not a public address`;
  return null;
}

/** The host as written in a URL, without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/**
 * Checks a URL before it is saved: its form, scheme and, when the host is an address (or `localhost`), the
 * address. Returns the reason it is refused, or null. Names are resolved at delivery time.
 */
export function refuseWebhookUrl(text: string, policy: WebhookUrlPolicy): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'url must be an absolute URL such as https://example.com/webhooks';
  }
  if (url.username || url.password) return 'url must not carry a user name or password';
  if (url.hash) return 'url must not have a #fragment';
  const host = hostOf(url);
  const loopbackHost = host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && isLoopbackAddress(host));
  if (url.protocol === 'http:') {
    if (!(policy.allowLoopback && loopbackHost)) {
      return policy.allowLoopback ? 'url must be https (http is accepted only for a loopback receiver in development)' : 'url must be https';
    }
    return null;
  }
  if (url.protocol !== 'https:') return 'url must be https';
  if (host === 'localhost' || host.endsWith('.localhost')) return policy.allowLoopback ? null : 'url must not point at localhost';
  if (isIP(host) !== 0) return refuseAddress(host, policy);
  return null;
}
