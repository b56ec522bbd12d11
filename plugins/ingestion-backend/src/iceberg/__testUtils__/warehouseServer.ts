import { createReadStream, promises as fs } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { resolve, sep } from 'node:path';

/** A static HTTP server over a local folder. */
export interface WarehouseServer {
  /** Base URL; `${url}${absolutePath}` serves that file. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves files below `root` by their absolute path, with HEAD and single-range
 * GET support: icebird reads tables over HTTP only, with Range requests.
 */
export async function startWarehouseServer(
  root: string,
): Promise<WarehouseServer> {
  const server = createServer(async (req, res) => {
    const path = resolve(
      decodeURIComponent(new URL(req.url!, 'http://x').pathname),
    );
    const stat =
      path.startsWith(root + sep) &&
      (await fs.stat(path).catch(() => undefined));
    if (!stat || !stat.isFile()) {
      res.writeHead(404).end();
      return;
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range && range[2] ? Number(range[2]) : stat.size - 1;
    const headers = {
      'accept-ranges': 'bytes',
      'content-length': String(range ? end - start + 1 : stat.size),
      ...(range && { 'content-range': `bytes ${start}-${end}/${stat.size}` }),
    };
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(path, { start, end }).pipe(res);
  });
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done, fail) =>
        server.close(error => (error ? fail(error) : done())),
      ),
  };
}
