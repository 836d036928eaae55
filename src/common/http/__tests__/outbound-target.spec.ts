import type { LookupAddress } from 'node:dns';
import {
  internalAddressKind,
  MAX_TARGET_URL_LENGTH,
  OutboundPolicy,
  OutboundRefusal,
  parseAllowedHosts,
  redactUrlCredentials,
} from '../outbound-target';

/** A resolver that answers from a table: no DNS query leaves the machine. */
const table =
  (entries: Record<string, string[]>) =>
  async (hostname: string): Promise<LookupAddress[]> => {
    const addresses = entries[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

/** Runs a policy's lookup as node:net would, with `all` set or not. */
const lookup = (policy: OutboundPolicy, host: string, all: boolean) =>
  new Promise<unknown>((resolve, reject) => {
    const fn = policy.lookupFor(host);
    if (!fn) return reject(new Error('no lookup of its own'));
    fn(host, { all }, (err, address, family) => (err ? reject(err) : resolve(all ? address : { address, family })));
  });

describe('outbound targets', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.0.10', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::7f00:1', 'IPv4-compatible'],
    ['64:ff9b::a00:1', 'reserved (rfc6052)'],
    ['192.0.2.1', 'reserved (reserved)'],
  ])('refuses %s as %s', (address, kind) => {
    expect(internalAddressKind(address)).toBe(kind);
  });

  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:93.184.215.14'])(
    'accepts the public %s',
    (address) => {
      expect(internalAddressKind(address)).toBeNull();
    },
  );

  const policy = new OutboundPolicy([]);
  const refusal = (url: string, p = policy) => {
    const checked = p.check(url);
    return checked.ok ? null : checked.refusal;
  };

  it('takes public https URLs and refuses internal, local, http, unparseable and over-long ones', () => {
    expect(refusal('https://hooks.example.com/alerts?x=1')).toBeNull();
    expect(refusal('https://93.184.215.14:8443/')).toBeNull();
    for (const url of [
      'https://127.0.0.1/',
      'https://[::1]:8443/',
      'https://localhost/',
      'https://LOCALHOST./',
      'https://api.localhost/',
      'https://0x7f.1/', // the URL parser reads every IPv4 spelling as 127.0.0.1
      'https://2130706433/',
      'https://017700000001/',
      'https://[::ffff:7f00:1]/',
      'https://169.254.169.254/latest/meta-data/',
      'https://[fd00:ec2::254]/',
    ])
      expect([url, refusal(url)]).toEqual([url, OutboundRefusal.INTERNAL_ADDRESS]);
    expect(refusal('http://hooks.example.com/')).toBe(OutboundRefusal.HTTPS_REQUIRED);
    expect(refusal('ftp://hooks.example.com/')).toBe(OutboundRefusal.INVALID_URL);
    expect(refusal('not a url')).toBe(OutboundRefusal.INVALID_URL);
    const long = `https://hooks.example.com/${'a'.repeat(MAX_TARGET_URL_LENGTH)}`;
    expect(refusal(long)).toBe(OutboundRefusal.URL_TOO_LONG);
    expect(refusal(long.slice(0, MAX_TARGET_URL_LENGTH))).toBeNull();
    // Messages never repeat the input.
    const checked = policy.check(`https://x.example/${'z'.repeat(5000)}`);
    expect(!checked.ok && checked.message).not.toContain('zzz');
  });

  it('lets listed hosts through, over http and on internal addresses', () => {
    const allowed = new OutboundPolicy(parseAllowedHosts(' 127.0.0.1, [::1] ,Hooks.Internal.,, '));
    expect(refusal('http://127.0.0.1:8080/hook', allowed)).toBeNull();
    expect(refusal('http://[0:0::1]:8080/hook', allowed)).toBeNull();
    expect(refusal('http://hooks.internal/x', allowed)).toBeNull();
    expect(refusal('http://127.0.0.2/', allowed)).toBe(OutboundRefusal.HTTPS_REQUIRED);
    expect(refusal('https://127.0.0.2/', allowed)).toBe(OutboundRefusal.INTERNAL_ADDRESS);
    expect(allowed.lookupFor('hooks.internal')).toBeUndefined();
  });

  it('connects to the addresses it checked, and refuses a name that resolves to any internal one', async () => {
    const p = new OutboundPolicy(
      [],
      table({
        'public.example': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
        'rebind.example': ['93.184.215.14', '127.0.0.1'],
        'metadata.example': ['169.254.169.254'],
        'mapped.example': ['::ffff:10.0.0.1'],
        'empty.example': [],
      }),
    );
    expect(await lookup(p, 'public.example', false)).toEqual({ address: '93.184.215.14', family: 4 });
    expect(await lookup(p, 'public.example', true)).toEqual([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ]);
    await expect(lookup(p, 'rebind.example', true)).rejects.toMatchObject({
      code: 'EADDRNOTALLOWED',
      message: expect.stringContaining('loopback'),
    });
    await expect(lookup(p, 'metadata.example', false)).rejects.toMatchObject({ message: expect.stringContaining('metadata') });
    await expect(lookup(p, 'mapped.example', false)).rejects.toMatchObject({ message: expect.stringContaining('private') });
    await expect(lookup(p, 'empty.example', false)).rejects.toMatchObject({ code: 'EADDRNOTALLOWED' });
    await expect(lookup(p, 'missing.example', false)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('hides the credentials of a URL: its userinfo and its query values', () => {
    expect(redactUrlCredentials('https://user:pa55@hooks.example.com/a/b?token=s3cret&channel=ops&flag#top')).toBe(
      'https://***@hooks.example.com/a/b?token=***&channel=***&***#top',
    );
    expect(redactUrlCredentials('https://hooks.example.com/a')).toBe('https://hooks.example.com/a');
    expect(redactUrlCredentials('plain text')).toBe('plain text');
  });
});
