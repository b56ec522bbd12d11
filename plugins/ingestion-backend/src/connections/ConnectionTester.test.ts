import { InputError } from '@backstage/errors';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { CheckedDestination } from '../egress';
import { EgressGuard, parseAllowRule } from '../egress';
import { DriverConnectionTester } from './ConnectionTester';
import type { ResolvedConnection } from './types';

jest.setTimeout(60_000);

/** Sockets the test servers accepted; destroyed at the end so the servers can close. */
const held: Socket[] = [];

/** A TCP server that accepts and then never says a word (a silent or filtering middlebox). */
async function silentServer(): Promise<{ server: Server; port: number }> {
  const server = createServer(socket => held.push(socket));
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** A TCP server that answers garbage (some other service on the port). */
async function chattyServer(): Promise<{ server: Server; port: number }> {
  const server = createServer(socket => {
    held.push(socket);
    socket.end('SSH-2.0-OpenSSH_9.6\r\n');
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function closedPort(): Promise<number> {
  const { server, port } = await chattyServer();
  await new Promise(resolve => server.close(resolve));
  return port;
}

const connection = (type: 'postgres' | 'mariadb'): ResolvedConnection => ({
  id: 'c1',
  organization: 'finance',
  name: 'warehouse',
  type,
  settings: { host: 'db.example.com', port: 5432, user: 'u', database: 'd' },
  password: 'Secret-Password-1',
});

/**
 * A guard that answers as the real one does for a public host outside the allow-list (or inside
 * it), but points the checked address at a local port, so closed, silent and chatty ports can be
 * compared without the internet.
 */
function guardPointingAt(port: number, allowListed: boolean) {
  const destination: CheckedDestination = {
    host: 'db.example.com',
    port,
    address: '127.0.0.1',
    family: 4,
    allowListed,
  };
  return {
    forOrganization: () =>
      ({ check: async () => destination } as unknown as ReturnType<
        EgressGuard['forOrganization']
      >),
  };
}

describe('DriverConnectionTester', () => {
  const servers: Server[] = [];
  let silent: number;
  let chatty: number;
  let closed: number;
  beforeAll(async () => {
    const s = await silentServer();
    const c = await chattyServer();
    servers.push(s.server, c.server);
    silent = s.port;
    chatty = c.port;
    closed = await closedPort();
  }, 60_000);
  afterAll(async () => {
    held.forEach(socket => socket.destroy());
    await Promise.all(
      servers.map(s => new Promise(resolve => s.close(resolve))),
    );
  });

  it.each(['postgres', 'mariadb'] as const)(
    '%s: closed, silent and chatty ports outside the allow-list read alike',
    async type => {
      const answers = [];
      for (const port of [closed, silent, chatty]) {
        const tester = new DriverConnectionTester({
          timeoutMs: 500,
          egress: guardPointingAt(port, false),
        });
        answers.push(await tester.test(connection(type)));
      }
      expect(answers).toEqual(
        Array(3).fill({
          ok: false,
          testable: true,
          message: 'Could not connect to db.example.com:5432',
          latencyMs: 0,
        }),
      );
    },
  );

  it('keeps the driver’s message inside the allow-list', async () => {
    const tester = new DriverConnectionTester({
      timeoutMs: 500,
      egress: guardPointingAt(closed, true),
    });
    const result = await tester.test(connection('postgres'));
    expect(result).toMatchObject({ ok: false, testable: true });
    expect(result.message).toMatch(/ECONNREFUSED/);
  });

  it('refuses a destination the guard refuses with an InputError on host, before connecting', async () => {
    const lookups: string[] = [];
    const tester = new DriverConnectionTester({
      egress: new EgressGuard({
        resolver: async host => {
          lookups.push(host);
          return [{ address: '10.1.2.3', family: 4 }];
        },
        allow: {
          finance: [
            parseAllowRule({ cidr: '10.9.0.0/16', ports: [5432] }, 't'),
          ],
        },
        localAddresses: () => [],
      }),
    });
    const refused = tester.test(connection('postgres'));
    await expect(refused).rejects.toThrow(InputError);
    await expect(refused).rejects.toThrow(
      /^host: Connections to db\.example\.com:5432 are not allowed: db\.example\.com resolves to a private address/,
    );
    expect(lookups).toEqual(['db.example.com']);
  });

  it('connects to the checked address, not to the name again', async () => {
    // db.example.com resolves to nothing at all: only the checked address can be reached.
    const tester = new DriverConnectionTester({
      timeoutMs: 500,
      egress: guardPointingAt(closed, true),
    });
    const result = await tester.test(connection('mariadb'));
    // ECONNREFUSED from 127.0.0.1, never ENOTFOUND for the name.
    expect(result.message).toMatch(/ECONNREFUSED/);
    expect(result.message).not.toMatch(/ENOTFOUND|EAI_AGAIN/);
  });
});
