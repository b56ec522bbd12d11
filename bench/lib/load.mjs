// Load generation: autocannon at saturation (closed loop), an open-loop paced sender, and one
// scenario's measurement (warm-up, saturated run with the backend's own stats and the machine's
// CPU, paced run), between which the abandoned requests' queries are let go.
import http from 'node:http';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuBetween, cpuSnapshot } from './system.mjs';
import { getJson } from './util.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');

/**
 * `o`: { connections, warmup, duration, pacedDuration, rate, cpuProfile }; `backend` from
 * createBackend (its stats and process group), `database` from createDatabase (settle, sampler).
 */
export function createLoad(o, { backend, database, log }) {
  const { stats } = backend;
  const { activitySampler, settle } = database;

  function cannon(url, headers, duration, extra = {}) {
    return autocannon({
      url,
      headers,
      connections: o.connections,
      duration,
      timeout: 30,
      ...extra,
    });
  }

  /**
   * Open-loop load: requests sent at evenly spaced times, `rate` per second, whatever the answers
   * take (up to `o.connections` at once; more wait for a socket). Latency is counted from each
   * request's scheduled time, so waiting for a socket counts too. autocannon's own pacing starts
   * all connections together, which sends bursts instead of an even rate.
   */
  async function paced(url, headers, rate, seconds) {
    const agent = new http.Agent({
      keepAlive: true,
      maxSockets: o.connections,
    });
    const latencies = [];
    let ok = 0;
    let non2xx = 0;
    let errors = 0;
    const pending = new Set();
    const send = scheduledAt =>
      new Promise(resolve => {
        const req = http.get(url, { agent, headers }, res => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - scheduledAt);
            if (res.statusCode >= 200 && res.statusCode < 300) ok += 1;
            else non2xx += 1;
            resolve();
          });
        });
        req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
        req.on('error', () => {
          errors += 1;
          resolve();
        });
      });
    const start = performance.now();
    const total = Math.round(rate * seconds);
    for (let i = 0; i < total; i++) {
      const scheduledAt = start + (i * 1000) / rate;
      const wait = scheduledAt - performance.now();
      if (wait >= 1) await sleep(wait);
      const promise = send(scheduledAt);
      pending.add(promise);
      promise.then(() => pending.delete(promise));
    }
    const deadline = performance.now() + 10_000;
    while (pending.size && performance.now() < deadline) await sleep(50);
    agent.destroy();
    latencies.sort((a, b) => a - b);
    const at = q =>
      latencies.length
        ? Math.round(
            latencies[
              Math.min(latencies.length - 1, Math.floor(q * latencies.length))
            ],
          )
        : null;
    return {
      targetRps: rate,
      sent: total,
      ok,
      non2xx,
      errors,
      unfinished: pending.size,
      p50Ms: at(0.5),
      p90Ms: at(0.9),
      p99Ms: pending.size ? null : at(0.99),
      maxMs: pending.size ? null : at(1),
    };
  }

  async function measure(scenario, headers) {
    log(`${scenario.id}: warm-up ${o.warmup} s`);
    await stats.reset();
    await cannon(scenario.url, headers, o.warmup);
    const warm = await stats.get();
    // the list's query: the one started (about) once per request; health runs none. Transaction
    // control (BEGIN, SET LOCAL, COMMIT: the dashboard's statements run with PostgreSQL's JIT off)
    // is not a query to measure.
    const texts = scenario.sql
      ? [
          [...warm.queries]
            .filter(q => !/^\s*(begin|commit|rollback|set)\b/i.test(q.text))
            .sort((a, b) => b.started - a.started)[0]?.text,
        ].filter(Boolean)
      : [];
    await settle(`${scenario.id} warm-up`, texts);
    await stats.reset();
    const stopSampler = await activitySampler();
    const before = cpuSnapshot(backend.current.pgid);
    const result = await cannon(scenario.url, headers, o.duration);
    const after = cpuSnapshot(backend.current.pgid);
    const activity = await stopSampler();
    const inside = await stats.get(o.cpuProfile ? scenario.id : undefined);
    const backlog = await settle(scenario.id, texts);
    const ok = result['2xx'];
    const all = ok + result.non2xx;
    const route = `GET ${new URL(scenario.url).pathname}`;
    const server = inside.inbound.find(r => r.key === route);
    // Requests the backend finished in the window, whether or not autocannon still waited for them.
    const handled = server ? server.count : ok;
    const perRequest = v => (handled ? v / handled : 0);
    const latency = v => (ok ? v : null); // none completed: every request took longer than the run
    const main = inside.queries.find(q => q.text === texts[0]);
    const measured = {
      id: scenario.id,
      label: scenario.label,
      url: scenario.url,
      http: {
        requests: all,
        ok,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        rps: ok / result.duration,
        p50Ms: latency(result.latency.p50),
        p90Ms: latency(result.latency.p90),
        p99Ms: latency(result.latency.p99),
        maxMs: latency(result.latency.max),
        meanMs: latency(result.latency.average),
        bytesPerResponse: all ? result.throughput.total / all : 0,
        inFlightAtEnd: o.connections,
      },
      server: server && {
        route,
        handled: server.count,
        abandoned: server.abandoned,
        p50Ms: server.p50Ms,
        p99Ms: server.p99Ms,
        maxMs: server.maxMs,
      },
      backlog,
      cpu: cpuBetween(before, after),
      backend: {
        cpuMsPerRequest: perRequest(inside.cpuUserMs + inside.cpuSystemMs),
        eventLoopUtilization: inside.eventLoopUtilization,
        eventLoopDelay: inside.eventLoopDelay,
        gcMsPerRequest: perRequest(inside.gc.totalMs),
        gcMaxMs: inside.gc.maxMs,
        queriesPerRequest: perRequest(
          inside.queries.reduce((n, q) => n + q.count, 0),
        ),
        queries: inside.queries,
        outbound: inside.outbound.map(c => ({
          ...c,
          perRequest: perRequest(c.count),
        })),
      },
      postgres: activity,
      profile: inside.profile,
      mainQuery: main && {
        text: main.text,
        values: main.values,
        p50Ms: main.p50Ms,
        p99Ms: main.p99Ms,
        meanMs: main.meanMs,
      },
    };
    if (o.pacedDuration > 0) {
      // The same requests paced below capacity: latency when the server is not saturated.
      const rate = o.rate || Math.max(1, Math.round(measured.http.rps / 2));
      measured.paced = await paced(
        scenario.url,
        headers,
        rate,
        o.pacedDuration,
      );
      await settle(`${scenario.id} paced`, texts);
    }
    const h = measured.http;
    const shown = v => (v === null ? `>${o.duration * 1000}` : v);
    log(
      `${scenario.id}: p50 ${shown(h.p50Ms)} ms, p99 ${shown(
        h.p99Ms,
      )} ms, ${h.rps.toFixed(1)} req/s` +
        (h.non2xx || h.errors
          ? `, ${h.non2xx} non-2xx, ${h.errors} errors`
          : '') +
        (measured.paced
          ? `; paced at ${measured.paced.targetRps} req/s: p50 ${
              measured.paced.p50Ms ?? `>${o.pacedDuration * 1000}`
            } ms, p99 ${
              measured.paced.p99Ms ?? `>${o.pacedDuration * 1000}`
            } ms`
          : ''),
    );
    return measured;
  }

  /** Follows nextCursor with the largest page size until `rows` rows deep; the cursor there. */
  async function cursorAt(listUrl, rows, token) {
    let cursor;
    let depth = 0;
    let calls = 0;
    const started = performance.now();
    while (depth < rows) {
      const limit = Math.min(500, rows - depth);
      const url = `${listUrl}&limit=${limit}${
        cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
      }`;
      const { body } = await getJson(url, token);
      calls += 1;
      depth += body.items.length;
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
    }
    return { cursor, depth, calls, ms: performance.now() - started };
  }

  return { cannon, paced, measure, cursorAt };
}
