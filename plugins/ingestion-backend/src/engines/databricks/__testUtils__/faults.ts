import type {
  DatabricksFault,
  DatabricksTestServer,
} from '@ingestion-for-backstage/plugin-ingestion-node';

/** What a request draws: a fault the server applies to exactly that request, a delay, or nothing. */
export type FaultDraw = DatabricksFault | { delayMs: number } | undefined;

/**
 * Spies on `fetch`: before each request to `server` is sent, `draw` decides its fate. Restore the spy
 * (`mockRestore`) after the test.
 */
export function injectFaults(
  server: DatabricksTestServer,
  draw: (path: string, method: string) => FaultDraw,
): jest.SpyInstance {
  const realFetch = globalThis.fetch;
  return jest
    .spyOn(globalThis, 'fetch')
    .mockImplementation(async (input, init) => {
      const url = new URL(
        typeof input === 'string' || input instanceof URL ? input : input.url,
      );
      if (`${url.protocol}//${url.host}` === server.url) {
        const drawn = draw(url.pathname, init?.method ?? 'GET');
        if (drawn && 'delayMs' in drawn) {
          await new Promise(resolve => setTimeout(resolve, drawn.delayMs));
        } else if (drawn) {
          server.injectFault(drawn);
        }
      }
      return realFetch(input, init);
    });
}
