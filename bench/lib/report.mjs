// The API benchmark's report: the text printed at the end of bench/run.sh.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProfile, summarizeProfile } from './profile-summary.mjs';
import { f, table } from './util.mjs';

const ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);

/** `run`: the results JSON; `o`: the options; `backendLog`: the backend's log file. */
export function report(run, o, { poolMax: POOL_MAX, backendLog }) {
  const out = [];
  const health = run.results.find(r => r.id === 'health');
  const never = `>${o.duration * 1000}`; // no response completed within the run
  const ms = v => (v === null || v === undefined ? never : v);
  const pacedMs = v =>
    v === null || v === undefined ? `>${o.pacedDuration * 1000}` : v;
  const meets = v =>
    v !== null && v !== undefined && v < o.targetP99Ms ? 'yes' : 'NO';
  // The API's p50 for ratios: autocannon's, or the backend's own when nothing completed in time.
  const p50 = r => r.http.p50Ms ?? r.server?.p50Ms;
  out.push('');
  out.push(`Ingestion API benchmark - ${run.startedAt}`);
  out.push(
    `machine: ${run.machine.cpus} cores (${run.machine.model}), Node ${
      process.versions.node
    }, ${run.dataset.version.split(',')[0]}`,
  );
  out.push(
    `data: ${run.dataset.organizations
      .map(x => `${x.organization_id} ${x.pipelines} pipelines/${x.runs} runs`)
      .join(', ')} (${run.dataset.size})`,
  );
  out.push(
    `backend: packages/backend, NODE_ENV=${o.nodeEnv}${
      o.extraConfigs.length
        ? `, extra config ${o.extraConfigs
            .map(c => path.relative(ROOT, c))
            .join(', ')}`
        : ''
    }`,
  );
  out.push(
    `permission policy wired: ${run.policy.wired}; observed: ${run.policy.observed}`,
  );
  out.push(`rate limiter: ${run.rateLimiter}`);
  out.push(
    `catalog ingestion entity provider: ${
      o.catalogProvider
        ? 'on'
        : 'off for the run (--catalog-provider=on keeps it)'
    }`,
  );
  out.push(
    `load: autocannon, ${o.connections} connections, ${o.warmup} s warm-up + ${o.duration} s per scenario, user ${o.user}; ` +
      `${f(run.machine.busyCoresBeforeStart, 2)} of ${
        run.machine.cpus
      } cores busy with other jobs before the start`,
  );
  const bg = run.background;
  out.push('');
  out.push(
    `Background, no requests (${bg.seconds} s): backend ${f(
      bg.cpu.backendCores,
      2,
    )} cores, ` +
      `PostgreSQL ${f(bg.cpu.postgresCores, 2)}, other processes ${f(
        bg.cpu.otherCores,
        2,
      )}; ` +
      `queries on the ingestion database by total time:`,
  );
  out.push(
    table(
      ['query (abridged)', 'calls', 'mean ms'],
      bg.queries
        .slice(0, 5)
        .map(q => [
          q.text.replace(/\s+/g, ' ').slice(0, 110),
          q.count,
          f(q.meanMs, 1),
        ]),
    ),
  );
  out.push('');
  out.push(
    `HTTP at saturation (autocannon, ${o.connections} connections, each sending its next request on a response)`,
  );
  out.push(
    table(
      [
        'scenario',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'max ms',
        'req/s',
        'ok/all',
        'KB/resp',
        `p99<${o.targetP99Ms}`,
      ],
      run.results.map(r => [
        r.label,
        ms(r.http.p50Ms),
        ms(r.http.p90Ms),
        ms(r.http.p99Ms),
        ms(r.http.maxMs),
        f(r.http.rps, r.http.rps < 10 ? 1 : 0),
        `${r.http.ok}/${r.http.requests}`,
        r.http.requests ? f(r.http.bytesPerResponse / 1024, 1) : '-',
        meets(r.http.p99Ms),
      ]),
    ),
  );
  if (run.results.some(r => r.http.ok === 0)) {
    out.push(
      `  ${never}: no response completed within the ${o.duration} s run; see the backend's own latency below`,
    );
  }
  if (run.results.some(r => r.paced)) {
    out.push('');
    out.push(
      `HTTP paced (open loop: evenly spaced requests at ${
        o.rate ? `${o.rate} req/s` : "half of each scenario's capacity above"
      }, ` + `latency from the scheduled send time, ${o.pacedDuration} s)`,
    );
    out.push(
      table(
        [
          'scenario',
          'req/s',
          'p50 ms',
          'p90 ms',
          'p99 ms',
          'max ms',
          `p99<${o.targetP99Ms}`,
        ],
        run.results
          .filter(r => r.paced)
          .map(r => [
            r.label,
            f(r.paced.targetRps, r.paced.targetRps < 10 ? 1 : 0),
            pacedMs(r.paced.p50Ms),
            pacedMs(r.paced.p90Ms),
            pacedMs(r.paced.p99Ms),
            pacedMs(r.paced.maxMs),
            meets(r.paced.p99Ms),
          ]),
      ),
    );
  }
  out.push('');
  out.push(
    'Floors and ratios (same run). HTTP floor: the health endpoint. DB floor: the SQL the API sent,',
  );
  out.push(
    `  in psql (sequential, client-side time) and pgbench (${POOL_MAX} clients = the backend's pool size)`,
  );
  out.push(
    table(
      [
        'scenario',
        'psql p50',
        'psql p99',
        'EXPLAIN exec',
        'pgbench tps',
        'p50/psql',
        'p50/health',
        'rps/health',
        'rps/pgbench',
      ],
      run.results.map(r => [
        r.label,
        r.floor ? f(r.floor.timed.p50Ms, 2) : '-',
        r.floor ? f(r.floor.timed.p99Ms, 2) : '-',
        r.floor ? f(r.floor.explain.executionMs, 2) : '-',
        r.floor
          ? f(r.floor.pgbench.tps, r.floor.pgbench.tps < 10 ? 1 : 0)
          : '-',
        r.floor ? `${f(p50(r) / r.floor.timed.p50Ms, 0)}x` : '-',
        health ? `${f(p50(r) / Math.max(health.http.p50Ms, 1), 1)}x` : '-',
        health ? f(r.http.rps / health.http.rps, 3) : '-',
        r.floor ? f(r.http.rps / r.floor.pgbench.tps, 2) : '-',
      ]),
    ),
  );
  out.push('');
  out.push(
    'Inside the backend (per request it handled in the window; latencies in ms, as the backend saw them)',
  );
  out.push(
    table(
      [
        'scenario',
        'server p50',
        'server p99',
        'CPU ms/req',
        'loop util',
        'GC ms/req',
        'SQL/req',
        'SQL p50',
        'SQL p99',
        'perm/req',
        'perm p50',
        'perm p99',
      ],
      run.results.map(r => {
        const perm = r.backend.outbound.find(c =>
          c.key.includes('/api/permission/authorize'),
        );
        return [
          r.label,
          r.server ? f(r.server.p50Ms, 0) : '-',
          r.server ? f(r.server.p99Ms, 0) : '-',
          f(r.backend.cpuMsPerRequest, 2),
          f(r.backend.eventLoopUtilization, 2),
          f(r.backend.gcMsPerRequest, 2),
          f(r.backend.queriesPerRequest, 1),
          r.mainQuery ? f(r.mainQuery.p50Ms, 1) : '-',
          r.mainQuery ? f(r.mainQuery.p99Ms, 1) : '-',
          perm ? f(perm.perRequest, 1) : '0',
          perm ? f(perm.p50Ms, 1) : '-',
          perm ? f(perm.p99Ms, 1) : '-',
        ];
      }),
    ),
  );
  out.push(
    '  SQL and perm latencies include waiting for the event loop, and SQL also for the pool.',
  );
  out.push('');
  out.push(
    `Cores in use during each run (of ${run.machine.cpus}): backend, PostgreSQL (whole server), load generator, other processes`,
  );
  out.push(
    table(
      [
        'scenario',
        'backend',
        'postgres',
        'autocannon',
        'other',
        'PG active',
        'PG waits',
        'backlog cancelled',
      ],
      run.results.map(r => [
        r.label,
        f(r.cpu.backendCores, 2),
        f(r.cpu.postgresCores, 2),
        f(r.cpu.loadGeneratorCores, 2),
        f(r.cpu.otherCores, 2),
        f(r.postgres.meanActiveQueries, 1),
        r.postgres.waits
          .slice(0, 2)
          .map(w => `${w.wait} ${f(w.share * 100, 0)}%`)
          .join(', ') || '-',
        r.backlog.cancelled,
      ]),
    ),
  );
  for (const r of run.results.filter(x => x.floor)) {
    out.push('');
    const text = r.mainQuery.text;
    out.push(
      `${r.label}: SQL as sent${text.length > 200 ? ' (abridged)' : ''}:`,
    );
    out.push(`  ${text.length > 200 ? `${text.slice(0, 197)}...` : text}`);
    out.push(
      `  plan (EXPLAIN ANALYZE: ${f(r.floor.explain.executionMs, 2)} ms, ${
        r.floor.explain.sharedBuffers
      } buffers):`,
    );
    for (const line of r.floor.explain.shape.slice(0, 8))
      out.push(`    ${line}`);
  }
  for (const r of run.results.filter(x => x.profile)) {
    out.push('');
    out.push(
      `${r.label} - ${formatProfile(
        summarizeProfile(r.profile, 15),
        r.http.requests,
      )}`,
    );
  }
  const noisy = run.results.filter(r => r.cpu.otherCores > 0.3);
  if (noisy.length) {
    out.push('');
    out.push(
      `NOISY: other processes used more than 0.3 cores during ${noisy
        .map(r => r.id)
        .join(', ')}; ` +
        'those figures are pessimistic, repeat the run on a quieter machine',
    );
  }
  const peer = run.results.find(r => r.id === 'catalog-by-query');
  const lists = run.results.filter(
    r => r.id !== 'health' && r.id !== 'catalog-by-query',
  );
  if (health && lists.length) {
    out.push('');
    out.push(
      "Issue 17's goals (same run): each list >= 0.6x health's req/s" +
        (peer ? ` and >= the catalog peer's ${f(peer.http.rps, 0)} req/s` : ''),
    );
    for (const r of lists) {
      const ratio = r.http.rps / health.http.rps;
      out.push(
        `  ${r.id}: ${f(ratio, 3)}x health ${
          ratio >= 0.6 ? 'met' : 'NOT met'
        }` +
          (peer
            ? `; ${f(r.http.rps / peer.http.rps, 2)}x the catalog ${
                r.http.rps >= peer.http.rps ? 'met' : 'NOT met'
              }`
            : ''),
      );
    }
  }
  const misses = run.results.filter(
    r => r.id !== 'health' && meets(r.http.p99Ms) === 'NO',
  );
  out.push('');
  out.push(
    misses.length
      ? `Target p99 < ${o.targetP99Ms} ms at ${
          o.connections
        } connections: missed by ${misses
          .map(r => `${r.id} (${ms(r.http.p99Ms)} ms)`)
          .join(', ')}`
      : `Target p99 < ${o.targetP99Ms} ms at ${o.connections} connections: met by every API scenario`,
  );
  const invalid = run.results.filter(
    r => r.http.non2xx || r.http.errors || r.paced?.non2xx || r.paced?.errors,
  );
  if (invalid.length) {
    out.push(
      `INVALID: non-2xx or errors in ${invalid
        .map(r => r.id)
        .join(', ')} (see ${path.relative(ROOT, run.resultsFile)})`,
    );
  }
  out.push(
    `full results: ${path.relative(
      ROOT,
      run.resultsFile,
    )}; plans: bench/.work/*.plan.txt; backend log: ${path.relative(
      ROOT,
      backendLog,
    )}`,
  );
  return out.join('\n');
}
