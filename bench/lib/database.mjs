// The benchmark's PostgreSQL database: migrated by the plugin's own knex migrations, seeded by
// seed.sql, kept as a template per scale (copied in seconds by later runs until seed.sql, a
// migration or the scale changes); and what the benchmarks observe of it while they run.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const knexFactory = require('knex');
const pg = require('pg');

const BENCH_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
);
const MIGRATIONS_DIR = path.resolve(
  BENCH_DIR,
  '../plugins/ingestion-backend/migrations',
);

/**
 * `o`: { pg, prefix (backend.database.prefix), pipelines, runs, reseed }. The ingestion plugin's
 * database is `<prefix>ingestion`; its template `<prefix>template_<pipelines>_<runs>`.
 */
export function createDatabase(o, { log }) {
  const DATABASE = `${o.prefix}ingestion`; // backend.database.prefix + the plugin id
  const TEMPLATE = `${o.prefix}template_${o.pipelines}_${o.runs}`; // one per scale

  async function admin(fn) {
    const client = new pg.Client({ ...o.pg, database: 'postgres' });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }
  const ident = name => `"${name.replace(/"/g, '""')}"`;

  function seedKey() {
    const hash = crypto.createHash('sha1');
    hash.update(fs.readFileSync(path.join(BENCH_DIR, 'seed.sql')));
    for (const file of fs.readdirSync(MIGRATIONS_DIR).sort()) {
      hash
        .update(file)
        .update(fs.readFileSync(path.join(MIGRATIONS_DIR, file)));
    }
    hash.update(`${o.pipelines}/${o.runs}`);
    return `bench seed ${hash.digest('hex')}`;
  }

  async function createFromTemplate() {
    await admin(async c => {
      await c.query(`DROP DATABASE IF EXISTS ${ident(DATABASE)} WITH (FORCE)`);
      for (let attempt = 1; ; attempt++) {
        try {
          await c.query(
            `CREATE DATABASE ${ident(DATABASE)} TEMPLATE ${ident(
              TEMPLATE,
            )} STRATEGY = FILE_COPY`,
          );
          return;
        } catch (error) {
          // another session (autovacuum) on the template: wait and retry
          if (
            attempt >= 10 ||
            !/being accessed by other users/.test(error.message)
          )
            throw error;
          await sleep(1000);
        }
      }
    });
  }

  /** The other plugins' databases of earlier runs (catalog, auth, …): every run starts without them. */
  async function dropOtherPluginDatabases() {
    await admin(async c => {
      const { rows } = await c.query(
        `SELECT datname FROM pg_database
       WHERE starts_with(datname, $1) AND NOT starts_with(datname, $2) AND datname <> $3`,
        [o.prefix, `${o.prefix}template_`, DATABASE],
      );
      for (const { datname } of rows) {
        await c.query(`DROP DATABASE IF EXISTS ${ident(datname)} WITH (FORCE)`);
      }
    });
  }

  /**
   * The day's storage sample (CostSampler: one record per organization and day) as the backend
   * would have written it a minute after midnight UTC, when the copied database has none yet for
   * today: the latest sample's size again, as today's share of a GB-month. Without it the
   * sampler's pass a minute after start-up looks every table up in the Iceberg catalog (one query
   * per table: ~100,000 at full scale, tens of seconds of the backend's CPU) in the middle of the
   * measurements; that pass is the backend's daily work, not a list's.
   */
  async function sampleStorageToday() {
    const client = new pg.Client({ ...o.pg, database: DATABASE });
    await client.connect();
    try {
      const { rowCount } = await client.query(`
        INSERT INTO cost_records (
          organization_id, cost_center, environment, service_type, quantity, unit, amount,
          currency, period, recorded_at, owner_ref, owner_team, project, source, measurement, day
        )
        SELECT l.organization_id, l.cost_center, l.environment, l.service_type,
               l.quantity * l.month_days / t.month_days,
               l.unit, l.amount * l.month_days / t.month_days, l.currency,
               to_char(t.at AT TIME ZONE 'UTC', 'YYYY-MM'), t.at, l.owner_ref, l.owner_team,
               l.project, l.source, l.measurement, to_char(t.at AT TIME ZONE 'UTC', 'YYYY-MM-DD')
        FROM (
          SELECT DISTINCT ON (organization_id) c.*,
                 extract(day FROM date_trunc('month', c.day::date) + interval '1 month - 1 day') AS month_days
          FROM cost_records c
          WHERE source = 'storage-sample' AND pipeline_id IS NULL
          ORDER BY organization_id, day DESC, id DESC
        ) l
        CROSS JOIN LATERAL (
          SELECT date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '1 minute' AS at
        ) s
        CROSS JOIN LATERAL (
          SELECT least(s.at, date_trunc('milliseconds', now())) AS at,
                 extract(day FROM date_trunc('month', s.at AT TIME ZONE 'UTC') + interval '1 month - 1 day') AS month_days
        ) t
        WHERE l.day < to_char(t.at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`);
      if (rowCount) {
        log(
          `database ${DATABASE}: today's storage sample written for ${rowCount} organizations`,
        );
      }
    } finally {
      await client.end();
    }
  }

  async function prepareDatabase() {
    const prepared = await copyOrSeed();
    await sampleStorageToday();
    return prepared;
  }

  async function copyOrSeed() {
    const key = seedKey();
    const template = await admin(async c => {
      const { rows } = await c.query(
        `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
        [TEMPLATE],
      );
      return rows[0];
    });
    if (template && template.comment === key && !o.reseed) {
      log(`database ${DATABASE}: copying the seeded template ${TEMPLATE}`);
      await createFromTemplate();
      return { seeded: false };
    }
    log(
      `database ${DATABASE}: migrating and seeding ${o.pipelines} pipelines, ${o.runs} runs`,
    );
    await admin(async c => {
      await c.query(`DROP DATABASE IF EXISTS ${ident(TEMPLATE)} WITH (FORCE)`);
      await c.query(`DROP DATABASE IF EXISTS ${ident(DATABASE)} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${ident(DATABASE)}`);
    });
    const knex = knexFactory({
      client: 'pg',
      connection: { ...o.pg, database: DATABASE },
    });
    try {
      const [, applied] = await knex.migrate.latest({
        directory: MIGRATIONS_DIR,
      });
      log(`migrations applied: ${applied.join(', ')}`);
    } finally {
      await knex.destroy();
    }
    const started = performance.now();
    const seeded = spawnSync(
      'psql',
      [
        '-X',
        '-q',
        '-h',
        o.pg.host,
        '-p',
        String(o.pg.port),
        '-U',
        o.pg.user,
        '-d',
        DATABASE,
        '-v',
        `pipelines=${o.pipelines}`,
        '-v',
        `runs=${o.runs}`,
        '-f',
        path.join(BENCH_DIR, 'seed.sql'),
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, PGPASSWORD: o.pg.password },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    if (seeded.status !== 0)
      throw new Error('seeding failed (see the psql output above)');
    log(
      `seeded in ${((performance.now() - started) / 1000).toFixed(
        1,
      )} s; keeping it as ${TEMPLATE}`,
    );
    await admin(async c => {
      await c.query(
        `CREATE DATABASE ${ident(TEMPLATE)} TEMPLATE ${ident(
          DATABASE,
        )} STRATEGY = FILE_COPY`,
      );
      await c.query(
        `COMMENT ON DATABASE ${ident(TEMPLATE)} IS ${pg.escapeLiteral(key)}`,
      );
    });
    return { seeded: true, seedSeconds: (performance.now() - started) / 1000 };
  }

  async function datasetFacts() {
    const client = new pg.Client({ ...o.pg, database: DATABASE });
    await client.connect();
    try {
      const { rows } = await client.query(`
      SELECT organization_id,
             (SELECT count(*) FROM pipelines p WHERE p.organization_id = o.organization_id)::int AS pipelines,
             (SELECT count(*) FROM runs r WHERE r.organization_id = o.organization_id)::int AS runs
      FROM (SELECT DISTINCT organization_id FROM pipelines) o ORDER BY 1`);
      const size = await client.query(
        `SELECT pg_size_pretty(pg_database_size(current_database())) AS size, version() AS version`,
      );
      return {
        organizations: rows,
        size: size.rows[0].size,
        version: size.rows[0].version,
      };
    } finally {
      await client.end();
    }
  }

  async function activitySampler() {
    const client = new pg.Client({ ...o.pg, database: 'postgres' });
    await client.connect();
    const samples = [];
    let running = true;
    const loop = (async () => {
      while (running) {
        const { rows } = await client.query(
          `SELECT state, coalesce(wait_event_type || ':' || wait_event, 'CPU') AS wait
         FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
          [DATABASE],
        );
        samples.push(rows);
        await sleep(200);
      }
    })();
    return async () => {
      running = false;
      await loop;
      await client.end();
      const active = samples.map(rows =>
        rows.filter(r => r.state === 'active'),
      );
      const waits = {};
      for (const rows of active)
        for (const r of rows) waits[r.wait] = (waits[r.wait] ?? 0) + 1;
      const total = active.reduce((n, rows) => n + rows.length, 0);
      return {
        samples: samples.length,
        meanActiveQueries: samples.length ? total / samples.length : 0,
        meanConnections: samples.length
          ? samples.reduce((n, rows) => n + rows.length, 0) / samples.length
          : 0,
        waits: Object.entries(waits)
          .sort((a, b) => b[1] - a[1])
          .map(([wait, n]) => ({ wait, share: n / total })),
      };
    };
  }

  /**
   * Waits until none of the scenario's queries (`texts`) runs any more. A load run that ends leaves
   * requests behind whose client has gone (autocannon stops waiting), and the backend still runs
   * their queries; after 5 s those are cancelled, so the next phase starts clean. Other queries
   * (the backend's background tasks) are left alone.
   */
  async function settle(what, texts = []) {
    if (texts.length === 0) return { ms: 0, cancelled: 0 };
    const client = new pg.Client({ ...o.pg, database: 'postgres' });
    await client.connect();
    const started = performance.now();
    let quietSince;
    let cancelled = 0;
    try {
      while (performance.now() - started < 60_000) {
        const { rows } = await client.query(
          `SELECT pid FROM pg_stat_activity
         WHERE datname = $1 AND state = 'active' AND query = ANY($2) AND pid <> pg_backend_pid()`,
          [DATABASE, texts],
        );
        if (rows.length === 0) {
          quietSince ??= performance.now();
          if (performance.now() - quietSince > 1000) break;
        } else {
          quietSince = undefined;
          if (performance.now() - started > 5000) {
            for (const { pid } of rows) {
              await client.query('SELECT pg_cancel_backend($1)', [pid]);
              cancelled += 1;
            }
          }
        }
        await sleep(200);
      }
    } finally {
      await client.end();
    }
    const ms = performance.now() - started;
    if (ms > 2000 || cancelled) {
      log(
        `${what}: waited ${(ms / 1000).toFixed(
          1,
        )} s for abandoned requests' queries` +
          (cancelled ? `, cancelled ${cancelled}` : ''),
      );
    }
    return { ms, cancelled };
  }

  async function terminateLeftovers() {
    await admin(c =>
      c.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [DATABASE],
      ),
    );
  }

  return {
    name: DATABASE,
    template: TEMPLATE,
    admin,
    prepare: prepareDatabase,
    sampleStorageToday,
    dropOtherPluginDatabases,
    datasetFacts,
    activitySampler,
    settle,
    terminateLeftovers,
  };
}
