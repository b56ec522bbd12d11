import { mockServices } from '@backstage/backend-test-utils';
import type { JsonValue } from '@backstage/types';
import { promises as dns } from 'node:dns';
import { classifyAddress } from './addresses';
import { parseAllowRule } from './allowList';
import { EgressGuard, EgressRefusedError } from './EgressGuard';

const rule = (entry: { host?: string; cidr?: string; ports: unknown[] }) =>
  parseAllowRule(entry, 'test');

/** A resolver answering from a table; unknown names fail as the system resolver does. */
function fakeResolver(table: Record<string, string[] | (() => string[])>) {
  const calls: string[] = [];
  const resolver = async (hostname: string) => {
    calls.push(hostname);
    const entry = table[hostname];
    const addresses = typeof entry === 'function' ? entry() : entry;
    if (!addresses) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
        code: 'ENOTFOUND',
      });
    }
    return addresses.map(address => ({
      address,
      family: address.includes(':') ? 6 : 4,
    }));
  };
  return { resolver, calls };
}

async function verdict(guard: EgressGuard, host: string, port = 443) {
  try {
    const checked = await guard.check('finance', host, port);
    return { allowed: true, address: checked.address };
  } catch (error) {
    if (error instanceof EgressRefusedError) {
      return { allowed: false, reason: error.reason };
    }
    throw error;
  }
}

/** The host name the URL parser makes of a spelling (the spelling itself where URLs refuse it). */
function urlHostname(spelling: string): string {
  const bracketed =
    spelling.includes(':') && !spelling.startsWith('[')
      ? `[${spelling}]`
      : spelling;
  try {
    return new URL(`http://${bracketed}:8080/`).hostname;
  } catch {
    return spelling; // zone ids (fe80::1%eth0) are not valid in URLs
  }
}

describe('EgressGuard', () => {
  // No allow-list: only public addresses pass.
  const guard = new EgressGuard({ localAddresses: () => [] });

  // [spelling, allowed, what the refusal names]
  const SPELLINGS: Array<[string, boolean, RegExp?]> = [
    // IPv4 loopback in every spelling getaddrinfo and the URL parser accept
    ['127.0.0.1', false, /loopback/],
    ['127.1', false, /loopback/],
    ['127.0.1', false, /loopback/],
    ['2130706433', false, /loopback/],
    ['0177.0.0.1', false, /loopback/],
    ['0x7f.1', false, /loopback/],
    ['0x7f000001', false, /loopback/],
    ['017700000001', false, /loopback/],
    ['127.255.255.254', false, /loopback/],
    // private, CGNAT, link-local, metadata
    ['10.0.0.1', false, /private/],
    ['172.16.0.1', false, /private/],
    ['172.31.255.255', false, /private/],
    ['192.168.1.1', false, /private/],
    ['100.64.0.1', false, /carrier-grade NAT/],
    ['169.254.1.1', false, /link-local/],
    ['169.254.169.254', false, /cloud metadata/],
    ['169.254.170.2', false, /cloud metadata/],
    ['100.100.100.200', false, /cloud metadata/],
    // unspecified, multicast, broadcast, reserved, documentation, benchmarking
    ['0.0.0.0', false, /unspecified/],
    ['0', false, /unspecified/],
    ['224.0.0.1', false, /multicast/],
    ['239.255.255.250', false, /multicast/],
    ['255.255.255.255', false, /broadcast/],
    ['240.0.0.1', false, /reserved/],
    ['192.0.0.1', false, /IETF/],
    ['192.0.2.1', false, /documentation/],
    ['198.51.100.7', false, /documentation/],
    ['203.0.113.9', false, /documentation/],
    ['198.18.0.1', false, /benchmarking/],
    // IPv6 loopback, unspecified, ULA, link-local, multicast, documentation, metadata
    ['[::1]', false, /loopback/],
    ['::1', false, /loopback/],
    ['[0:0:0:0:0:0:0:1]', false, /loopback/],
    ['[::]', false, /unspecified/],
    ['[fc00::1]', false, /unique local/],
    ['[fd12:3456::1]', false, /unique local/],
    ['[fd00:ec2::254]', false, /cloud metadata/],
    ['[fe80::1]', false, /link-local/],
    ['fe80::1%eth0', false, /link-local/],
    ['[fec0::1]', false, /site-local/],
    ['[ff02::1]', false, /multicast/],
    ['[2001:db8::1]', false, /documentation/],
    ['[100::1]', false, /discard/],
    ['[4000::1]', false, /reserved/],
    // IPv6 spellings that embed a non-public IPv4 address
    ['[::ffff:7f00:1]', false, /loopback \(IPv4-mapped 127\.0\.0\.1\)/],
    ['[::ffff:127.0.0.1]', false, /loopback/],
    ['[0:0:0:0:0:ffff:7f00:1]', false, /loopback/],
    ['[::ffff:a9fe:a9fe]', false, /cloud metadata/],
    ['[::ffff:10.0.0.1]', false, /private/],
    ['[::ffff:c0a8:101]', false, /private/],
    ['[::7f00:1]', false, /loopback \(IPv4-compatible/],
    ['[::ffff:0:7f00:1]', false, /loopback \(IPv4-translated/],
    ['[64:ff9b::7f00:1]', false, /loopback \(NAT64/],
    ['[64:ff9b::a9fe:a9fe]', false, /cloud metadata \(NAT64/],
    ['[64:ff9b:1::a00:1]', false, /local-use NAT64/],
    ['[2002:7f00:1::]', false, /loopback \(6to4/],
    ['[2002:c0a8:101::1]', false, /private \(6to4/],
    ['[2001:0:4136:e378:8000:63bf:3fff:fdd2]', false, /Teredo/],
    // public addresses, also in other spellings
    ['1.1.1.1', true],
    ['8.8.8.8', true],
    ['134744072', true],
    ['11.0.0.1', true],
    ['172.32.0.1', true],
    ['100.128.0.1', true],
    ['169.255.0.1', true],
    ['192.169.0.1', true],
    ['[2606:4700:4700::1111]', true],
    ['[::ffff:8.8.8.8]', true],
    ['[64:ff9b::808:808]', true],
    ['[2002:808:808::1]', true],
  ];

  it('has a table of at least 40 spellings', () => {
    expect(SPELLINGS.length).toBeGreaterThanOrEqual(40);
  });

  // Rows as objects: a callback with more parameters than a row has would be taken for `done`.
  it.each(
    SPELLINGS.map(([spelling, allowed, reason]) => ({
      spelling,
      allowed,
      reason,
    })),
  )('$spelling → allowed: $allowed', async ({ spelling, allowed, reason }) => {
    const result = await verdict(guard, spelling);
    expect(result.allowed).toBe(allowed);
    // Allowed rows have no reason: an empty one matches /^$/.
    expect(result.reason ?? '').toMatch(reason ?? /^$/);
    // The URL parser's normalized host name (what a spec's URL becomes) gets the same answer.
    expect((await verdict(guard, urlHostname(spelling))).allowed).toBe(allowed);
  });

  it('classifies what the system resolver answers for odd IPv4 spellings alike', async () => {
    for (const spelling of [
      '2130706433',
      '0177.0.0.1',
      '0x7f.1',
      '127.1',
      '017700000001',
    ]) {
      const [answer] = await dns.lookup(spelling, { all: true });
      expect([spelling, classifyAddress(answer.address).label]).toEqual([
        spelling,
        'loopback',
      ]);
      expect((await verdict(guard, spelling)).allowed).toBe(false);
    }
  });

  it('refuses a name when any of its addresses is refused, and names no address', async () => {
    const { resolver } = fakeResolver({
      'mixed.example.com': ['93.184.215.14', '10.1.2.3'],
      'public.example.com': [
        '93.184.215.14',
        '2606:2800:21f:cb07:6820:80da:af6b:8b2c',
      ],
      'internal.example.com': ['10.1.2.3'],
    });
    const named = new EgressGuard({ resolver, localAddresses: () => [] });
    expect(await verdict(named, 'mixed.example.com')).toEqual({
      allowed: false,
      reason: expect.stringMatching(
        /^mixed\.example\.com resolves to a private address/,
      ),
    });
    expect(await verdict(named, 'internal.example.com')).toEqual({
      allowed: false,
      reason: expect.not.stringContaining('10.1.2.3'),
    });
    expect(await verdict(named, 'PUBLIC.example.com.')).toEqual({
      allowed: true,
      address: '93.184.215.14',
    });
    await expect(
      named.check('finance', 'nowhere.example.com', 443),
    ).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
  });

  it('pins the checked address: one lookup per check, a rebinding answer is checked anew', async () => {
    let answer = 0;
    const { resolver, calls } = fakeResolver({
      'rebind.example.com': () =>
        answer++ === 0 ? ['93.184.215.14'] : ['127.0.0.1'],
    });
    const rebinding = new EgressGuard({ resolver, localAddresses: () => [] });
    const first = await rebinding.check('finance', 'rebind.example.com', 5432);
    expect(first).toMatchObject({
      host: 'rebind.example.com',
      address: '93.184.215.14',
      allowListed: false,
    });
    expect(calls).toEqual(['rebind.example.com']);
    await expect(
      rebinding.check('finance', 'rebind.example.com', 5432),
    ).rejects.toThrow(/resolves to a loopback address/);
    expect(calls).toHaveLength(2);
  });

  describe('allow-lists', () => {
    const { resolver } = fakeResolver({
      'db.internal.example': ['10.9.9.9'],
      'other.internal.example': ['10.9.9.9'],
      'a.corp.example': ['192.168.5.5'],
      'corp.example': ['192.168.5.6'],
    });
    const allowing = new EgressGuard({
      resolver,
      localAddresses: () => [],
      allow: {
        finance: [
          rule({ host: '127.0.0.1', ports: [3306] }),
          rule({ cidr: '10.20.0.0/16', ports: [5432, '8000-8099'] }),
          rule({ host: 'db.internal.example', ports: [5432] }),
          rule({ host: '*.corp.example', ports: [443] }),
          rule({ cidr: '169.254.0.0/16', ports: [80] }),
        ],
      },
    });
    const check = (host: string, port: number, org = 'finance') =>
      allowing.check(org, host, port).then(
        d => (d.allowListed ? 'allow-listed' : 'public'),
        (e: Error) => e.message,
      );

    it.each([
      ['127.0.0.1', 3306, /^allow-listed$/],
      ['[::ffff:127.0.0.1]', 3306, /^allow-listed$/],
      ['127.0.0.1', 3307, /allow-listed on this port \(allowed: 3306\)/],
      [
        '127.0.0.2',
        3306,
        /loopback address, which organization 'finance' has not allow-listed/,
      ],
      ['10.20.3.4', 5432, /^allow-listed$/],
      ['10.20.3.4', 8050, /^allow-listed$/],
      ['10.20.3.4', 22, /allowed: 5432, 8000-8099/],
      ['10.21.0.1', 5432, /private address/],
      ['db.internal.example', 5432, /^allow-listed$/],
      ['DB.Internal.Example.', 5432, /^allow-listed$/],
      ['other.internal.example', 5432, /private address/],
      ['db.internal.example', 3306, /allowed: 5432/],
      ['a.corp.example', 443, /^allow-listed$/],
      ['corp.example', 443, /private address/],
      ['169.254.10.10', 80, /^allow-listed$/],
      [
        '169.254.169.254',
        80,
        /cloud metadata address, which tenant connections never reach/,
      ],
      ['0.0.0.0', 3306, /unspecified/],
      ['1.1.1.1', 22, /^public$/],
    ])('finance: %s:%p → %p', async (host, port, expected) => {
      expect(await check(host, port as number)).toMatch(expected);
    });

    it('is per organization', async () => {
      expect(await check('127.0.0.1', 3306, 'retail')).toMatch(
        /organization 'retail' has not allow-listed/,
      );
      expect(await check('db.internal.example', 5432, 'retail')).toMatch(
        /private address/,
      );
    });
  });

  describe("the backend's own database", () => {
    const loopbackEverywhere = {
      finance: [
        rule({ cidr: '127.0.0.0/8', ports: ['1-65535'] }),
        rule({ cidr: '::1/128', ports: ['1-65535'] }),
        rule({ cidr: '192.168.77.0/24', ports: ['1-65535'] }),
        rule({ cidr: '10.0.0.0/8', ports: ['1-65535'] }),
      ],
    };

    it('is refused on every local address even when allow-listed', async () => {
      const { resolver } = fakeResolver({ localhost: ['127.0.0.1', '::1'] });
      const local = new EgressGuard({
        resolver,
        allow: loopbackEverywhere,
        database: [{ host: 'localhost', port: 5432 }],
        localAddresses: () => ['192.168.77.7'],
      });
      for (const host of [
        '127.0.0.1',
        'localhost',
        '127.0.0.2',
        '[::1]',
        '[::ffff:127.0.0.1]',
        '192.168.77.7',
      ]) {
        expect([host, await verdict(local, host, 5432)]).toEqual([
          host,
          {
            allowed: false,
            reason: expect.stringMatching(/the portal's own database server/),
          },
        ]);
      }
      // Other ports of this machine and other hosts on the same port are the allow-list's business.
      expect(await verdict(local, '127.0.0.1', 3306)).toMatchObject({
        allowed: true,
      });
      expect(await verdict(local, '192.168.77.8', 5432)).toMatchObject({
        allowed: true,
      });
    });

    it('is read from backend.database (URL or host and port)', async () => {
      const { resolver } = fakeResolver({ 'db.example': ['10.1.2.3'] });
      const fromUrl = EgressGuard.fromConfig(
        mockServices.rootConfig({
          data: {
            backend: {
              database: {
                client: 'pg',
                connection:
                  'postgresql://portal:secret@db.example:6543/backstage',
              },
            },
            ingestion: {
              organizations: [
                {
                  id: 'finance',
                  egress: {
                    allow: [{ cidr: '10.0.0.0/8', ports: ['1-65535'] }],
                  },
                },
              ],
            },
          },
        }),
        { resolver },
      );
      expect(await verdict(fromUrl, '10.1.2.3', 6543)).toMatchObject({
        allowed: false,
        reason: expect.stringMatching(/own database server/),
      });
      expect(await verdict(fromUrl, 'db.example', 6543)).toMatchObject({
        allowed: false,
      });
      expect(await verdict(fromUrl, '10.1.2.3', 5432)).toMatchObject({
        allowed: true,
      });

      const fromObject = EgressGuard.fromConfig(
        mockServices.rootConfig({
          data: {
            backend: {
              database: {
                client: 'pg',
                connection: { host: '10.1.2.4', port: 5433 },
              },
            },
            ingestion: {
              organizations: [
                {
                  id: 'finance',
                  egress: {
                    allow: [{ cidr: '10.0.0.0/8', ports: ['1-65535'] }],
                  },
                },
              ],
            },
          },
        }),
        { resolver },
      );
      expect(await verdict(fromObject, '10.1.2.4', 5433)).toMatchObject({
        allowed: false,
      });
      expect(await verdict(fromObject, '10.1.2.3', 5433)).toMatchObject({
        allowed: true,
      });
    });
  });

  describe('configuration', () => {
    const config = (allow: JsonValue) =>
      mockServices.rootConfig({
        data: {
          ingestion: { organizations: [{ id: 'finance', egress: { allow } }] },
        },
      });

    it.each([
      [[{ ports: [5432] }], /egress\.allow\[0\] needs a host or a cidr/],
      [
        [{ host: 'db.example' }],
        /allow\[0\]\.ports must list the allowed ports/,
      ],
      [
        [{ cidr: '10.0.0.0/33', ports: [1] }],
        /allow\[0\]\.cidr must be an address range/,
      ],
      [
        [{ host: 'db example', ports: [1] }],
        /allow\[0\]\.host must be a host name/,
      ],
      [
        [{ host: 'db.example', ports: [70000] }],
        /allow\[0\]\.ports\[0\] must be a port/,
      ],
      [
        [{ host: 'db.example', ports: ['9-3'] }],
        /allow\[0\]\.ports\[0\] must be a port/,
      ],
    ])('refuses %j', (allow, message) => {
      expect(() => EgressGuard.fromConfig(config(allow))).toThrow(message);
    });
  });
});
