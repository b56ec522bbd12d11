// Summarizes a V8 .cpuprofile (node --cpu-prof): self time by package and by function, and the
// inclusive time of frames matching a few markers, so a run with --cpu-profile says where the
// backend's CPU went. Usage: node bench/lib/profile-summary.mjs <file.cpuprofile> [top]
import fs from 'node:fs';

function packageOf(url) {
  if (!url) return '(native/V8)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const ws = /\/(plugins|packages)\/([^/]+)\//.exec(path);
  if (ws) return `${ws[1]}/${ws[2]}`;
  return path;
}

export function summarizeProfile(file, top = 25) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes)
    for (const c of n.children ?? []) parent.set(c, n.id);
  // Samples under the inspector session that takes the profile are the profiler's, not the app's.
  const profilerOwn = new Map();
  const isProfilerOwn = id => {
    if (!profilerOwn.has(id)) {
      const own =
        byId.get(id).callFrame.url === 'node:inspector' ||
        (parent.has(id) && isProfilerOwn(parent.get(id)));
      profilerOwn.set(id, own);
    }
    return profilerOwn.get(id);
  };
  const self = new Map();
  const deltas = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    if (isProfilerOwn(id)) return;
    self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0) / 1000);
  });
  const totalMs = [...self.values()].reduce((a, b) => a + b, 0);
  const idleMs = [...self]
    .filter(([id]) => byId.get(id).callFrame.functionName === '(idle)')
    .reduce((a, [, ms]) => a + ms, 0);
  const busyMs = totalMs - idleMs;

  const add = (map, key, ms) => map.set(key, (map.get(key) ?? 0) + ms);
  const byPackage = new Map();
  const byFunction = new Map();
  for (const [id, ms] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    if (functionName === '(idle)') continue;
    add(byPackage, packageOf(url), ms);
    const short = url
      ? url.replace(/^.*node_modules\//, '').replace(/^.*\/work\/main\//, '')
      : '';
    add(
      byFunction,
      `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`,
      ms,
    );
  }

  // Inclusive time of frames whose function or file matches a marker (counted once per sample).
  // Synchronous work only: a CPU profile's stacks end at an await, so an async call's total
  // (e.g. the permission round trip) is measured by an A/B run instead (bench/variants).
  const markers = {
    'express res.json (stringify + send)': f =>
      f.functionName === 'json' && /express\/lib\/response/.test(f.url),
    'permission backend handling /authorize': f =>
      /plugin-permission-backend\//.test(f.url),
    'plugin token issuing (ES256 sign)': f => f.functionName === 'issueToken',
    'ES256 verify (all JWTs)': f =>
      f.functionName === 'ecdsaSignVerify' ||
      f.functionName === 'verifySignature',
    helmet: f => /node_modules\/helmet\//.test(f.url),
    'logging (winston/morgan)': f =>
      /node_modules\/(winston|logform|morgan|triple-beam|colors|@colors)/.test(
        f.url,
      ),
    'JWT (jose)': f => /node_modules\/jose\//.test(f.url),
    'OpenAPI validation': f =>
      /backend-openapi-utils|express-openapi-validator|openapi-validator|ajv/.test(
        f.url,
      ),
    zod: f => /node_modules\/zod\//.test(f.url),
    knex: f => /node_modules\/knex\//.test(f.url),
    'pg driver': f => /node_modules\/pg(-protocol|-types)?\//.test(f.url),
    GC: f => f.functionName === '(garbage collector)',
  };
  const inclusive = Object.fromEntries(Object.keys(markers).map(k => [k, 0]));
  const memo = new Map();
  const matchesOf = id => {
    if (memo.has(id)) return memo.get(id);
    const found = new Set(parent.has(id) ? matchesOf(parent.get(id)) : []);
    const frame = byId.get(id).callFrame;
    for (const [name, test] of Object.entries(markers))
      if (test(frame)) found.add(name);
    memo.set(id, found);
    return found;
  };
  for (const [id, ms] of self)
    for (const name of matchesOf(id)) inclusive[name] += ms;

  // Each sample once, in one category: serialization when `res.json` is anywhere on the stack,
  // otherwise the innermost frame that matches a category (so the pg driver's work under knex
  // counts as the driver's), GC on its own (issue 17's before/after table in the README).
  const categories = [
    ['JWT verification (jose)', f => /node_modules\/jose\//.test(f.url)],
    [
      'pg driver (protocol, row parsing)',
      f =>
        /node_modules\/(pg|pg-protocol|pg-types|pg-pool|postgres-date)\//.test(
          f.url,
        ),
    ],
    [
      'knex (query building, pool)',
      f => /node_modules\/(knex|tarn)\//.test(f.url),
    ],
    [
      'OpenAPI request validator',
      f => /express-openapi-validator|node_modules\/ajv\//.test(f.url),
    ],
    [
      'root middleware (helmet, cors, compression, logging)',
      f =>
        /node_modules\/(helmet|cors|compression|morgan|winston|logform)\/|rootHttpRouter\//.test(
          f.url,
        ),
    ],
    ['rate limiter', f => /src\/ratelimit\//.test(f.url)],
    [
      'authorizer, permissions',
      f => /src\/authorization\/|plugin-permission-/.test(f.url),
    ],
    [
      'ingestion routes, services, stores',
      f => /plugins\/ingestion-backend\/src\//.test(f.url),
    ],
    [
      'Backstage httpAuth, auth, httpRouter',
      f => /@backstage\/backend-defaults\//.test(f.url),
    ],
    ['bench instrumentation', f => /bench\/lib\/instrument/.test(f.url)],
    [
      'express routing, body parsing',
      f =>
        /node_modules\/(express|express-promise-router|router|body-parser|qs)\//.test(
          f.url,
        ),
    ],
    [
      'node http (parser, socket)',
      f =>
        /^node:(_http|net$|internal\/stream|stream)/.test(f.url) ||
        /^node:(_http_\w+|net)$/.test(f.url),
    ],
  ];
  const isSerialization = f =>
    /express\/lib\/response/.test(f.url) &&
    ['json', 'send', 'end'].includes(f.functionName);
  const byCategory = new Map();
  for (const [id, ms] of self) {
    const leaf = byId.get(id).callFrame;
    if (leaf.functionName === '(idle)') continue;
    let category =
      leaf.functionName === '(garbage collector)' ? 'GC' : undefined;
    const frames = [];
    for (let cur = id; cur !== undefined; cur = parent.get(cur))
      frames.push(byId.get(cur).callFrame);
    if (!category && frames.some(isSerialization))
      category = 'res.json (stringify, write)';
    if (!category)
      for (const frame of frames) {
        const found = categories.find(([, test]) => test(frame));
        if (found) {
          category = found[0];
          break;
        }
      }
    add(byCategory, category ?? 'other (native frames, microtasks)', ms);
  }

  const sorted = map => [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    totalMs,
    busyMs,
    packages: sorted(byPackage),
    functions: sorted(byFunction),
    inclusive,
    categories: [...byCategory].sort((a, b) => b[1] - a[1]),
  };
}

/** `requests`: how many requests the profiled run answered, for CPU milliseconds per request. */
export function formatProfile(summary, requests) {
  const pct = ms => `${((ms / summary.busyMs) * 100).toFixed(1).padStart(5)}%`;
  const lines = [
    `CPU profile: ${(summary.busyMs / 1000).toFixed(1)} s busy of ${(
      summary.totalMs / 1000
    ).toFixed(1)} s`,
  ];
  lines.push('  self time by package:');
  for (const [name, ms] of summary.packages)
    lines.push(`    ${pct(ms)}  ${name}`);
  lines.push('  inclusive time of:');
  for (const [name, ms] of Object.entries(summary.inclusive).sort(
    (a, b) => b[1] - a[1],
  )) {
    lines.push(`    ${pct(ms)}  ${name}`);
  }
  lines.push(
    `  where the CPU went (each sample once${
      requests ? `; ms per request over ${requests} requests` : ''
    }):`,
  );
  for (const [name, ms] of summary.categories)
    lines.push(
      `    ${pct(ms)}  ${
        requests ? `${(ms / requests).toFixed(2).padStart(5)} ms  ` : ''
      }${name}`,
    );
  lines.push('  self time by function:');
  for (const [name, ms] of summary.functions)
    lines.push(`    ${pct(ms)}  ${name}`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, top, requests] = process.argv.slice(2);
  console.log(
    formatProfile(
      summarizeProfile(file, Number(top ?? 25)),
      requests ? Number(requests) : undefined,
    ),
  );
}
