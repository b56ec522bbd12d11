import http from 'node:http';
import https from 'node:https';
import net, { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { CheckedDestination } from './types';

type Check = (host: string, port: number) => Promise<CheckedDestination>;
// Node's agents take this callback form of createConnection for sockets made asynchronously.
type Created = (error: Error | null, stream: Duplex) => void;

function hostOf(options: { host?: string | null; hostname?: string | null }) {
  return String(options.hostname ?? options.host ?? 'localhost').replace(
    /^\[(.*)\]$/,
    '$1',
  );
}

/**
 * Node `http.Agent` and `https.Agent` (for clients that take agents, such as the AWS SDK's
 * NodeHttpHandler) whose sockets go to the address the guard checked; TLS keeps the original
 * host as server name, so certificates are verified against the name, not the address.
 */
export function createGuardedAgents(check: Check): {
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
} {
  class GuardedHttpAgent extends http.Agent {
    createConnection(options: http.ClientRequestArgs, callback?: Created) {
      const host = hostOf(options);
      check(host, Number(options.port) || 80).then(
        destination =>
          callback!(
            null,
            net.connect({
              ...(options as net.NetConnectOpts),
              host: destination.address,
              port: Number(options.port) || 80,
              lookup: undefined,
            } as net.TcpNetConnectOpts),
          ),
        error => callback!(error, undefined as unknown as Duplex),
      );
      return undefined;
    }
  }
  class GuardedHttpsAgent extends https.Agent {
    createConnection(options: https.RequestOptions, callback?: Created) {
      const host = hostOf(options);
      check(host, Number(options.port) || 443).then(
        destination =>
          callback!(
            null,
            tls.connect({
              ...(options as tls.ConnectionOptions),
              host: destination.address,
              servername: options.servername || (isIP(host) ? undefined : host),
              lookup: undefined,
            }),
          ),
        error => callback!(error, undefined as unknown as Duplex),
      );
      return undefined;
    }
  }
  return {
    httpAgent: new GuardedHttpAgent({ keepAlive: true }),
    httpsAgent: new GuardedHttpsAgent({ keepAlive: true }),
  };
}
