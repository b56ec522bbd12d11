import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAllowRule } from './allowList';
import {
  EgressGuard,
  EgressRefusedError,
  type EgressResolver,
} from './EgressGuard';

jest.setTimeout(60_000);

interface TestServer {
  server: Server;
  port: number;
  requests: IncomingMessage[];
}

async function listen(
  respond: (req: IncomingMessage) => {
    status: number;
    headers?: Record<string, string>;
    body?: string;
  },
): Promise<TestServer> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    const { status, headers, body } = respond(req);
    res.writeHead(status, headers).end(body ?? '');
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, requests };
}

const close = ({ server }: TestServer) =>
  new Promise<void>(resolve => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

describe('guarded fetch', () => {
  let target: TestServer;
  let other: TestServer;
  let redirector: TestServer;

  beforeAll(async () => {
    target = await listen(() => ({ status: 200, body: 'target' }));
    other = await listen(req => ({
      status: 200,
      body: JSON.stringify({
        authorization: req.headers.authorization ?? null,
      }),
    }));
    redirector = await listen(req => ({
      status: 302,
      headers: { location: decodeURIComponent(req.url!.slice('/to/'.length)) },
    }));
  }, 60_000);
  afterAll(async () => {
    await Promise.all([target, other, redirector].map(close));
  });

  /** finance allow-lists the redirector, the target and `other`'s port, one rule each. */
  function guard(resolver?: EgressResolver) {
    return new EgressGuard({
      resolver,
      localAddresses: () => [],
      allow: {
        finance: [
          parseAllowRule(
            { cidr: '127.0.0.1/32', ports: [redirector.port] },
            'r',
          ),
          parseAllowRule({ cidr: '127.0.0.1/32', ports: [target.port] }, 't'),
          parseAllowRule({ host: 'other.test', ports: [other.port] }, 'o'),
        ],
      },
    });
  }

  it('fetches allow-listed destinations and refuses the rest before connecting', async () => {
    const fetch = guard().forOrganization('finance').fetch;
    const ok = await fetch(`http://127.0.0.1:${target.port}/`);
    expect(await ok.text()).toBe('target');

    const before = other.requests.length;
    await expect(fetch(`http://127.0.0.1:${other.port}/`)).rejects.toThrow(
      EgressRefusedError,
    );
    await expect(
      fetch(`http://[::ffff:7f00:1]:${other.port}/`),
    ).rejects.toThrow(/loopback \(IPv4-mapped 127\.0\.0\.1\)/);
    expect(other.requests.length).toBe(before);
  });

  it('re-checks every redirect hop', async () => {
    const fetch = guard().forOrganization('finance').fetch;
    const hop = (to: string) =>
      `http://127.0.0.1:${redirector.port}/to/${encodeURIComponent(to)}`;

    // To an allow-listed destination: followed.
    const followed = await fetch(hop(`http://127.0.0.1:${target.port}/`));
    expect(await followed.text()).toBe('target');

    // To a port of the same host that is not allow-listed, to metadata, to a mapped loopback.
    const before = other.requests.length;
    await expect(fetch(hop(`http://127.0.0.1:${other.port}/`))).rejects.toThrow(
      /not allow-listed on this port/,
    );
    await expect(
      fetch(hop('http://169.254.169.254/latest/meta-data/')),
    ).rejects.toThrow(/cloud metadata/);
    await expect(
      fetch(hop(`http://[::ffff:127.0.0.1]:${other.port}/`)),
    ).rejects.toThrow(EgressRefusedError);
    await expect(fetch(hop('file:///etc/passwd'))).rejects.toThrow(
      /only http and https/,
    );
    expect(other.requests.length).toBe(before);

    // `redirect: 'error'` refuses to follow at all.
    await expect(
      fetch(hop(`http://127.0.0.1:${target.port}/`), { redirect: 'error' }),
    ).rejects.toThrow(/redirects are not followed/);
  });

  it('connects to the address it checked: one lookup per connection, no second resolution', async () => {
    // First answer: loopback (allow-listed for other.test); any later answer: metadata.
    let lookups = 0;
    const resolver = async () => {
      lookups++;
      return [
        { address: lookups === 1 ? '127.0.0.1' : '169.254.169.254', family: 4 },
      ];
    };
    const fetch = guard(resolver).forOrganization('finance').fetch;
    const response = await fetch(`http://other.test:${other.port}/`, {
      headers: { authorization: 'Bearer same-origin' },
    });
    expect(await response.json()).toEqual({
      authorization: 'Bearer same-origin',
    });
    // The request reached the server at the checked address, with its own Host header.
    expect(other.requests.at(-1)!.headers.host).toBe(
      `other.test:${other.port}`,
    );
    expect(lookups).toBe(1);

    // A new guard (new connection) gets the rebinding answer, and refuses it.
    const rebound = guard(resolver).forOrganization('finance').fetch;
    await expect(rebound(`http://other.test:${other.port}/`)).rejects.toThrow(
      /resolves to a cloud metadata address/,
    );
    expect(lookups).toBe(2);
  });

  it('drops credentials when a redirect leaves the origin', async () => {
    const resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const fetch = guard(resolver).forOrganization('finance').fetch;
    const response = await fetch(
      `http://127.0.0.1:${redirector.port}/to/${encodeURIComponent(
        `http://other.test:${other.port}/`,
      )}`,
      {
        headers: {
          authorization: 'Bearer secret-token',
          accept: 'application/json',
        },
      },
    );
    expect(await response.json()).toEqual({ authorization: null });
  });
});
