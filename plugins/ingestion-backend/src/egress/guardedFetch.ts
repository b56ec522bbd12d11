import { isIP } from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { type CheckedDestination, EgressRefusedError } from './types';

type Check = (host: string, port: number) => Promise<CheckedDestination>;

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers kept when a redirect leaves the origin: nothing that could carry a credential. */
const CROSS_ORIGIN_SAFE_HEADERS = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'content-type',
  'user-agent',
]);

const defaultPort = (protocol: string) => (protocol === 'https:' ? 443 : 80);

/**
 * An undici dispatcher whose every new connection is checked by the guard and opened to the
 * checked address (the TLS server name stays the original host), so the name is resolved once
 * per connection and a rebinding answer cannot slip in between check and connect.
 */
export function createGuardedAgent(check: Check): Agent {
  const connect = buildConnector({});
  return new Agent({
    connect: (options, callback) => {
      const hostname = options.hostname.replace(/^\[(.*)\]$/, '$1');
      const port = Number(options.port) || defaultPort(options.protocol);
      check(hostname, port).then(
        destination =>
          connect(
            {
              ...options,
              hostname: destination.address,
              servername:
                options.servername ||
                (isIP(hostname) ? undefined : destination.host),
            },
            callback,
          ),
        error => callback(error, null),
      );
    },
  });
}

/**
 * `fetch` through the guard: each connection is checked and pinned (see {@link createGuardedAgent}),
 * redirects are followed by hand so every hop is checked again, and a hop to another origin
 * drops every header that could carry a credential. `redirect: 'error'` and `'manual'` behave
 * as in the standard.
 */
export function createGuardedFetch(check: Check): typeof globalThis.fetch {
  const dispatcher = createGuardedAgent(check);
  const guarded = async (
    input: string | URL | Request,
    init: RequestInit = {},
  ): Promise<Response> => {
    if (typeof input !== 'string' && !(input instanceof URL)) {
      throw new TypeError('The guarded fetch takes a URL, not a Request');
    }
    let url = new URL(input);
    let method = (init.method ?? 'GET').toUpperCase();
    let body = init.body;
    const headers = new Headers(init.headers);
    const mode = init.redirect ?? 'follow';
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new EgressRefusedError(
          url.hostname,
          Number(url.port) || 0,
          `only http and https URLs are allowed, not ${url.protocol}`,
        );
      }
      let response: Response;
      try {
        response = (await undiciFetch(url, {
          ...(init as object),
          method,
          body: body as never,
          headers: Object.fromEntries(headers.entries()),
          redirect: 'manual',
          dispatcher,
        })) as unknown as Response;
      } catch (error) {
        // undici wraps connector errors as `fetch failed`; the refusal itself says why.
        const cause = (error as { cause?: unknown }).cause;
        if (cause instanceof EgressRefusedError) throw cause;
        throw error;
      }
      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || !location || mode === 'manual') {
        return response;
      }
      await response.body?.cancel();
      if (mode === 'error') {
        throw new TypeError(
          `${url.origin}${url.pathname} redirected (${response.status}) and redirects are not followed`,
        );
      }
      if (hop >= MAX_REDIRECTS) {
        throw new TypeError(
          `${url.origin} redirected more than ${MAX_REDIRECTS} times`,
        );
      }
      const next = new URL(location, url);
      if (next.origin !== url.origin) {
        for (const name of [...headers.keys()]) {
          if (!CROSS_ORIGIN_SAFE_HEADERS.has(name)) headers.delete(name);
        }
      }
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) &&
          method === 'POST')
      ) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
        headers.delete('content-type');
      }
      url = next;
    }
  };
  return guarded as typeof globalThis.fetch;
}
