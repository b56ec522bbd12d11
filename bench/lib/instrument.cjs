// Preloaded into the benchmarked backend (`node --require bench/lib/instrument.cjs`) by
// bench/bench.mjs. It changes no behaviour; it only observes, so the benchmark can say where a
// request's time goes:
//
// - every query on the benchmark's database (pg `Client#query`): count and latency per SQL text,
//   and the parameters of the last call, so the psql floor runs exactly the SQL the API sent;
// - outbound HTTP calls (the permission round trip, user info): count and latency per path;
// - inbound HTTP requests: server-side latency per route, including requests whose client gave up;
// - the process: CPU time, event-loop utilization, event-loop delay and GC pauses.
//
// Stats are served on 127.0.0.1:$BENCH_STATS_PORT: `POST /reset` starts a window, `GET /stats`
// reads it. The cost is two clock reads and an array push per query or call.
'use strict';

const http = require('node:http');
const https = require('node:https');
const Module = require('node:module');
const {
  performance,
  PerformanceObserver,
  monitorEventLoopDelay,
} = require('node:perf_hooks');

const DATABASE = process.env.BENCH_DATABASE;
const PORT = Number(process.env.BENCH_STATS_PORT);
const MAX_SAMPLES = 200000;

let window;
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

function reset() {
  loopDelay.reset();
  window = {
    startedAt: performance.now(),
    cpu: process.cpuUsage(),
    elu: performance.eventLoopUtilization(),
    queries: new Map(),
    outbound: new Map(),
    inbound: new Map(),
    gc: { count: 0, totalMs: 0, maxMs: 0 },
  };
}
reset();

new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    window.gc.count += 1;
    window.gc.totalMs += entry.duration;
    window.gc.maxMs = Math.max(window.gc.maxMs, entry.duration);
  }
}).observe({ entryTypes: ['gc'] });

function bucket(map, key) {
  let b = map.get(key);
  if (!b) {
    b = { count: 0, started: 0, errors: 0, samples: [] };
    map.set(key, b);
  }
  return b;
}

function record(b, startedAt, failed) {
  b.count += 1;
  if (failed) b.errors += 1;
  if (b.samples.length < MAX_SAMPLES)
    b.samples.push(performance.now() - startedAt);
}

/** A bound value as psql would write it; bench.mjs inlines these into the SQL text. */
function describeValue(value) {
  if (value === null || value === undefined) return { type: 'null' };
  if (value instanceof Date)
    return { type: 'timestamptz', value: value.toISOString() };
  if (typeof value === 'number' || typeof value === 'bigint') {
    return { type: 'number', value: String(value) };
  }
  if (typeof value === 'boolean')
    return { type: 'boolean', value: String(value) };
  if (Array.isArray(value))
    return { type: 'array', value: value.map(describeValue) };
  return { type: 'string', value: String(value) };
}

// --- pg ------------------------------------------------------------------------------------------
const patchedClients = new WeakSet();
function patchPg(pg) {
  const Client = pg && pg.Client;
  if (!Client || patchedClients.has(Client)) return;
  patchedClients.add(Client);
  const query = Client.prototype.query;
  Client.prototype.query = function instrumentedQuery(
    config,
    values,
    callback,
  ) {
    if (this.database !== DATABASE || !config) {
      return query.apply(this, arguments);
    }
    const text = typeof config === 'string' ? config : config.text;
    if (typeof text !== 'string') return query.apply(this, arguments);
    const bound =
      (typeof config === 'object' &&
        Array.isArray(config.values) &&
        config.values) ||
      (Array.isArray(values) && values) ||
      [];
    const b = bucket(window.queries, text);
    b.values = bound;
    b.started += 1;
    const startedAt = performance.now();
    const args = [...arguments];
    const cbIndex = args.findIndex(a => typeof a === 'function');
    if (cbIndex >= 0) {
      const cb = args[cbIndex];
      args[cbIndex] = function instrumentedCallback(err) {
        record(b, startedAt, Boolean(err));
        return cb.apply(this, arguments);
      };
      return query.apply(this, args);
    }
    const result = query.apply(this, args);
    if (result && typeof result.then === 'function') {
      result.then(
        () => record(b, startedAt, false),
        () => record(b, startedAt, true),
      );
    }
    return result;
  };
}

const originalLoad = Module._load;
Module._load = function instrumentedLoad(request) {
  const exported = originalLoad.apply(this, arguments);
  if (request === 'pg') patchPg(exported);
  return exported;
};

// --- outbound HTTP -------------------------------------------------------------------------------
function outboundKey(method, url) {
  const path = url.pathname.replace(/[0-9a-f]{8}-[0-9a-f-]{27,}/g, ':id');
  return `${method} ${url.host}${path}`;
}

function patchRequest(mod, scheme) {
  const request = mod.request;
  mod.request = function instrumentedRequest(...args) {
    const req = request.apply(this, args);
    try {
      const url = new URL(`${scheme}://${req.host}${req.path}`);
      const b = bucket(window.outbound, outboundKey(req.method, url));
      const startedAt = performance.now();
      req.once('response', res => {
        res.once('end', () => record(b, startedAt, res.statusCode >= 400));
      });
      req.once('error', () => record(b, startedAt, true));
    } catch {
      // observing must never break a request
    }
    return req;
  };
}
patchRequest(http, 'http');
patchRequest(https, 'https');

if (typeof globalThis.fetch === 'function') {
  const fetch = globalThis.fetch;
  globalThis.fetch = async function instrumentedFetch(input, init) {
    let b;
    try {
      const url = new URL(
        typeof input === 'string' || input instanceof URL ? input : input.url,
      );
      const method = (init && init.method) || (input && input.method) || 'GET';
      b = bucket(
        window.outbound,
        `${outboundKey(method.toUpperCase(), url)} (fetch)`,
      );
    } catch {
      return fetch.apply(this, arguments);
    }
    const startedAt = performance.now();
    try {
      const response = await fetch.apply(this, arguments);
      record(b, startedAt, !response.ok);
      return response;
    } catch (error) {
      record(b, startedAt, true);
      throw error;
    }
  };
}

// --- inbound HTTP: server-side latency per route, also of requests whose client gave up ---------
let statsServer;
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function instrumentedEmit(event, req, res) {
  if (event === 'request' && this !== statsServer) {
    try {
      const path = req.url
        .split('?')[0]
        .replace(/[0-9a-f]{8}-[0-9a-f-]{27,}/g, ':id');
      const b = bucket(window.inbound, `${req.method} ${path}`);
      const startedAt = performance.now();
      res.once('close', () => {
        if (!res.writableFinished) b.abandoned = (b.abandoned || 0) + 1;
        record(b, startedAt, res.statusCode >= 400 || !res.writableFinished);
      });
    } catch {
      // observing must never break a request
    }
  }
  return emit.apply(this, arguments);
};

// --- stats server --------------------------------------------------------------------------------
function summary(b) {
  const sorted = [...b.samples].sort((x, y) => x - y);
  const at = q =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const sum = sorted.reduce((s, v) => s + v, 0);
  return {
    count: b.count,
    errors: b.errors,
    meanMs: sorted.length ? sum / sorted.length : null,
    p50Ms: sorted.length ? at(0.5) : null,
    p99Ms: sorted.length ? at(0.99) : null,
    maxMs: sorted.length ? sorted[sorted.length - 1] : null,
  };
}

function snapshot() {
  const wallMs = performance.now() - window.startedAt;
  const cpu = process.cpuUsage(window.cpu);
  const elu = performance.eventLoopUtilization(window.elu);
  return {
    pid: process.pid,
    wallMs,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    eventLoopUtilization: elu.utilization,
    eventLoopDelay: {
      p50Ms: loopDelay.percentile(50) / 1e6,
      p99Ms: loopDelay.percentile(99) / 1e6,
      maxMs: loopDelay.max / 1e6,
    },
    gc: window.gc,
    heapUsedMb: process.memoryUsage().heapUsed / 1048576,
    queries: [...window.queries].map(([text, b]) => ({
      text,
      started: b.started,
      values: (b.values || []).map(describeValue),
      ...summary(b),
    })),
    outbound: [...window.outbound].map(([key, b]) => ({ key, ...summary(b) })),
    inbound: [...window.inbound].map(([key, b]) => ({
      key,
      abandoned: b.abandoned || 0,
      ...summary(b),
    })),
  };
}

// --- CPU profiles of the measured windows (bench --cpu-profile) ----------------------------------
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE_DIR;
let profiler;
function post(method, params) {
  return new Promise((resolve, reject) =>
    profiler.post(method, params, (err, result) =>
      err ? reject(err) : resolve(result),
    ),
  );
}
async function startProfile() {
  if (!PROFILE_DIR) return;
  if (!profiler) {
    const inspector = require('node:inspector');
    profiler = new inspector.Session();
    profiler.connect();
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 500 });
  }
  await post('Profiler.stop').catch(() => undefined);
  await post('Profiler.start');
}
async function stopProfile(name) {
  if (!PROFILE_DIR || !profiler || !name) return undefined;
  const { profile } = await post('Profiler.stop');
  const file = require('node:path').join(PROFILE_DIR, `${name}.cpuprofile`);
  require('node:fs').writeFileSync(file, JSON.stringify(profile));
  return file;
}

if (PORT) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://stats');
    if (req.method === 'POST' && url.pathname === '/reset') {
      reset();
      await startProfile();
      res.end('{}');
      return;
    }
    if (req.method === 'GET' && url.pathname === '/stats') {
      const stats = snapshot();
      stats.profile = await stopProfile(url.searchParams.get('profile'));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(stats));
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  statsServer = server;
  server.listen(PORT, '127.0.0.1');
  server.unref();
}
