import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/** The longest target URL accepted: enough for any real webhook, small enough to store, log and show. */
export const MAX_TARGET_URL_LENGTH = 2048;

/** Why a target URL is refused, for the module that reports it to map to its own error reason. */
export enum OutboundRefusal {
  INVALID_URL = 'INVALID_URL',
  URL_TOO_LONG = 'URL_TOO_LONG',
  HTTPS_REQUIRED = 'HTTPS_REQUIRED',
  INTERNAL_ADDRESS = 'INTERNAL_ADDRESS',
}

export type TargetCheck = { ok: true; url: URL } | { ok: false; refusal: OutboundRefusal; message: string };

/** Cloud metadata services, named apart since they are what a forged target usually reaches for. */
const METADATA = new Set(['169.254.169.254', 'fd00:ec2::254']);
/** IPv4-compatible IPv6 (deprecated): ipaddr.js calls it unicast, yet it embeds an IPv4 address. */
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

const LABELS: Record<string, string> = {
  loopback: 'loopback',
  private: 'private',
  uniqueLocal: 'private',
  carrierGradeNat: 'private',
  linkLocal: 'link-local',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
};

/**
 * What kind of internal address `address` is (loopback, private, link-local, metadata, ...),
 * or null for a public unicast one. IPv4-mapped IPv6 addresses are judged by their IPv4
 * address; every range other than public unicast (reserved, NAT64, 6to4, ...) is refused.
 */
export function internalAddressKind(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'invalid';
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  if (METADATA.has(ip.toString())) return 'metadata';
  const range = ip.range();
  if (range !== 'unicast') return LABELS[range] ?? `reserved (${range})`;
  return ip.kind() === 'ipv6' && ip.match(IPV4_COMPATIBLE) ? 'IPv4-compatible' : null;
}

/** Hosts and IPs compared in one form: lower case, no brackets or trailing dot, IPs canonical. */
function normalizeHost(host: string): string {
  const bare = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  return ipaddr.isValid(bare) ? ipaddr.parse(bare).toString() : bare;
}

const isLocalName = (host: string): boolean => host === 'localhost' || host.endsWith('.localhost');

/**
 * Where outbound requests (alert webhooks) may go: public https targets, or any
 * host listed in `WEBHOOK_ALLOWED_HOSTS`. A URL is checked when it is set, and the
 * addresses its name resolves to are checked again at delivery, on the very
 * address the request then connects to (no second lookup to rebind).
 */
export class OutboundPolicy {
  private readonly allowed: ReadonlySet<string>;

  /** `resolve` is the system's resolver (getaddrinfo: /etc/hosts, then DNS); tests give their own. */
  constructor(
    allowedHosts: readonly string[],
    private readonly resolve: Resolve = systemResolve,
  ) {
    this.allowed = new Set(allowedHosts.filter((h) => h.trim() !== '').map(normalizeHost));
  }

  isAllowedHost(hostname: string): boolean {
    return this.allowed.has(normalizeHost(hostname));
  }

  /** The URL parsed, or why it is refused; `label` names it in messages, which never repeat the input. */
  check(input: string, label = 'The URL'): TargetCheck {
    if (input.length > MAX_TARGET_URL_LENGTH)
      return { ok: false, refusal: OutboundRefusal.URL_TOO_LONG, message: `${label} is longer than ${MAX_TARGET_URL_LENGTH} characters` };
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      return { ok: false, refusal: OutboundRefusal.INVALID_URL, message: `${label} is not a valid URL` };
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      return { ok: false, refusal: OutboundRefusal.INVALID_URL, message: `${label} must be https` };
    if (this.isAllowedHost(url.hostname)) return { ok: true, url };
    if (url.protocol !== 'https:')
      return { ok: false, refusal: OutboundRefusal.HTTPS_REQUIRED, message: `${label} must be https (http only for allowed hosts)` };
    const host = normalizeHost(url.hostname);
    const kind = isLocalName(host) ? 'loopback' : ipaddr.isValid(host) ? internalAddressKind(host) : null;
    if (kind)
      return {
        ok: false,
        refusal: OutboundRefusal.INTERNAL_ADDRESS,
        message: `${label} points at a ${kind} address, which is not allowed`,
      };
    return { ok: true, url };
  }

  /**
   * The DNS lookup for a request to `hostname`: none of its own for allowed hosts; otherwise
   * every address the name resolves to must be public, and the connection uses those addresses.
   */
  lookupFor(hostname: string): LookupFunction | undefined {
    if (this.isAllowedHost(hostname)) return undefined;
    return (name, options, callback) => {
      this.resolve(name).then(
        (addresses) => {
          const refused = addresses.map((a) => internalAddressKind(a.address)).find((kind) => kind !== null);
          if (refused !== undefined || addresses.length === 0) {
            const reason = `${name} resolves to ${refused ? `a ${refused} address` : 'no address'}, which is not allowed`;
            return callback(Object.assign(new Error(reason), { code: 'EADDRNOTALLOWED' }), '', 0);
          }
          if (options.all) return callback(null, addresses);
          const [first] = addresses as [LookupAddress];
          callback(null, first.address, first.family);
        },
        (err: NodeJS.ErrnoException) => callback(err, '', 0),
      );
    };
  }
}

/** Every address a name resolves to. */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Reads the comma-separated `WEBHOOK_ALLOWED_HOSTS`. */
export const parseAllowedHosts = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');

const REDACTED = '***';

/**
 * A URL with its credentials hidden: the userinfo, and every query value (a token may hide
 * under any name). Anything that is not an absolute URL is returned as it is.
 */
export function redactUrlCredentials(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return input;
  }
  if (!url.host || (!url.username && !url.password && !url.search)) return input;
  const userinfo = url.username || url.password ? `${REDACTED}@` : '';
  const query = url.search
    ? '?' +
      url.search
        .slice(1)
        .split('&')
        .map((pair) => (pair.includes('=') ? `${pair.slice(0, pair.indexOf('='))}=${REDACTED}` : pair && REDACTED))
        .join('&')
    : '';
  return `${url.protocol}//${userinfo}${url.host}${url.pathname}${query}${url.hash}`;
}
