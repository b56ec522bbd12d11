// A package registry for the install test: it serves the packed tarballs in a folder as if they
// were published (metadata and tarballs), and passes every other request on to the registry the
// machine is configured with. So the portal runs the READMEs' `yarn add <package>` commands
// verbatim, and gets everything else where it always does.
//
//   node registry.mjs --packs DIR --upstream URL --port PORT
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const args = Object.fromEntries(
  process.argv
    .slice(2)
    .join(' ')
    .split('--')
    .filter(Boolean)
    .map(arg => arg.trim().split(/\s+/)),
);
const packs = path.resolve(args.packs);
const upstream = new URL(args.upstream.replace(/\/?$/, '/'));
const port = Number(args.port);

/** name -> { version, manifest, file, shasum, integrity } for every tarball in the folder. */
function readPacks() {
  const byName = new Map();
  for (const file of fs.readdirSync(packs).filter(f => f.endsWith('.tgz'))) {
    const full = path.join(packs, file);
    const manifest = JSON.parse(
      execFileSync('tar', ['-xzOf', full, 'package/package.json'], {
        encoding: 'utf8',
      }),
    );
    const data = fs.readFileSync(full);
    byName.set(manifest.name, {
      manifest,
      file: full,
      shasum: createHash('sha1').update(data).digest('hex'),
      integrity: `sha512-${createHash('sha512').update(data).digest('base64')}`,
    });
  }
  return byName;
}
const published = readPacks();

function metadata(name, base) {
  const { manifest, shasum, integrity } = published.get(name);
  // The tarball's path, with its checksum in the query: yarn caches packages by name, version
  // and URL, so a package packed again with other contents is fetched again.
  const tarball = `${base}/${name}/-/${name.split('/').pop()}-${
    manifest.version
  }.tgz?sha1=${shasum}`;
  // Published a week ago: a new portal's .yarnrc.yml quarantines releases younger than
  // npmMinimalAgeGate (3 days), which the READMEs' users meet only in a release's first days.
  const at = new Date(Date.now() - 7 * 24 * 3600 * 1000).toISOString();
  return {
    name,
    'dist-tags': { latest: manifest.version },
    time: { created: at, modified: at, [manifest.version]: at },
    versions: {
      [manifest.version]: {
        ...manifest,
        _id: `${name}@${manifest.version}`,
        dist: { tarball, shasum, integrity },
      },
    },
  };
}

const server = http.createServer(async (req, res) => {
  const base = `http://${req.headers.host}`;
  const url = new URL(req.url, base);
  const pathname = decodeURIComponent(url.pathname);
  try {
    const tarballOf = /^\/((?:@[^/]+\/)?[^/@]+)\/-\/[^/]+\.tgz$/.exec(pathname);
    if (tarballOf && published.has(tarballOf[1])) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      fs.createReadStream(published.get(tarballOf[1]).file).pipe(res);
      return;
    }
    const name = pathname.slice(1);
    if (published.has(name)) {
      const body = JSON.stringify(metadata(name, base));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
      return;
    }
    // Everything else: the configured registry's answer, as it is.
    const target = new URL(req.url.replace(/^\//, ''), upstream);
    const headers = { ...req.headers, host: target.host };
    delete headers['accept-encoding'];
    const body =
      req.method === 'GET' || req.method === 'HEAD'
        ? undefined
        : await new Promise(resolve => {
            const chunks = [];
            req.on('data', c => chunks.push(c));
            req.on('end', () => resolve(Buffer.concat(chunks)));
          });
    const answer = await fetch(target, {
      method: req.method,
      headers,
      body,
      redirect: 'follow',
    });
    const out = {};
    answer.headers.forEach((value, key) => {
      if (
        !['content-encoding', 'content-length', 'transfer-encoding'].includes(
          key,
        )
      ) {
        out[key] = value;
      }
    });
    res.writeHead(answer.status, out);
    res.end(Buffer.from(await answer.arrayBuffer()));
  } catch (error) {
    if (res.headersSent) {
      res.destroy();
    } else {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(error));
    }
  }
});
server.listen(port, '127.0.0.1', () => {
  console.log(
    `registry on http://localhost:${port}: ${[...published.keys()].join(', ')}`,
  );
});
