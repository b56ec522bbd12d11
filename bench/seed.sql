-- Seeds the ingestion schema (created by the plugin's own knex migrations) with synthetic tenants:
--   :pipelines pipelines over 3 organizations (finance 40 %, retail 35 %, healthcare 25 %,
--   interleaved by creation time), one pipeline_versions row and two lineage_edges rows each, and
--   :runs runs at a steady rate over the last 180 days, each of a pipeline that existed then; the
--   runs of the last 10 minutes are still queued or running (within the organizations' quotas).
-- Run by bench/bench.mjs as: psql -v pipelines=100000 -v runs=1000000 -f bench/seed.sql
-- Timestamps are cut to milliseconds, as the backend writes them (JS Dates) and as its keyset
-- cursors carry them.
\set ON_ERROR_STOP on
SET synchronous_commit = off;
SET maintenance_work_mem = '256MB';
SET work_mem = '64MB';
-- Skips triggers while loading; superuser only.
SET session_replication_role = replica;
SELECT setseed(0.4242);

-- Bulk loading into indexed tables is ~15x slower than building the indexes afterwards, so the
-- keys and indexes the migrations created on the seeded tables (and the foreign keys that point
-- at them) are saved, dropped, and re-created verbatim after the load.
CREATE TEMP TABLE bench_saved_ddl (seq serial, kind text, restore text, drop_stmt text);
INSERT INTO bench_saved_ddl (kind, restore, drop_stmt)
SELECT
  CASE c.contype WHEN 'f' THEN '3-fk' ELSE '1-key' END,
  format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)),
  format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname)
FROM pg_constraint c
WHERE c.contype IN ('p', 'u', 'f')
  AND (c.conrelid IN ('pipelines'::regclass, 'pipeline_versions'::regclass, 'runs'::regclass)
    OR c.confrelid IN ('pipelines'::regclass, 'pipeline_versions'::regclass, 'runs'::regclass))
ORDER BY c.contype = 'f' DESC;  -- foreign keys are dropped first
INSERT INTO bench_saved_ddl (kind, restore, drop_stmt)
SELECT '2-index', pg_get_indexdef(i.indexrelid), format('DROP INDEX %s', i.indexrelid::regclass)
FROM pg_index i
WHERE i.indrelid IN ('pipelines'::regclass, 'pipeline_versions'::regclass, 'runs'::regclass)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'));
-- the schema as the migrations left it, compared after the restore
CREATE TEMP TABLE bench_schema_before AS
SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def FROM pg_index
WHERE indrelid IN ('pipelines'::regclass, 'pipeline_versions'::regclass, 'runs'::regclass)
UNION ALL
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid IN ('pipelines'::regclass, 'pipeline_versions'::regclass, 'runs'::regclass)
   OR confrelid IN ('pipelines'::regclass, 'pipeline_versions'::regclass, 'runs'::regclass);
DO $$
DECLARE s record;
BEGIN
  FOR s IN SELECT drop_stmt FROM bench_saved_ddl ORDER BY seq LOOP
    EXECUTE s.drop_stmt;
  END LOOP;
END $$;

\echo seeding :pipelines pipelines
INSERT INTO pipelines (
  id, organization_id, name, description, owner, pipeline_type, schedule, schedule_timezone,
  engine, current_version, databricks_job_id, deployed_version, deployed_at,
  created_by, updated_by, created_at, updated_at
)
SELECT
  md5('pipeline:' || i)::uuid::text,
  org,
  (ARRAY['ledger', 'payments', 'orders', 'claims', 'inventory', 'customers', 'events', 'invoices'])[1 + i % 8]
    || '-' || (ARRAY['sync', 'cdc', 'daily', 'hourly', 'backfill'])[1 + (i / 8) % 5]
    || '-' || lpad(i::text, 6, '0'),
  'Synthetic pipeline ' || i || ' of the API benchmark',
  'group:default/' || org || (CASE WHEN i % 3 = 0 THEN '-admins' ELSE '-engineers' END),
  CASE WHEN i % 5 = 0 THEN 'streaming' ELSE 'batch' END,
  CASE WHEN i % 5 = 0 THEN NULL ELSE (i % 60) || ' ' || (i % 24) || ' * * *' END,
  CASE WHEN i % 5 = 0 THEN NULL ELSE 'UTC' END,
  'databricks',
  1,
  CASE WHEN i % 10 < 7 THEN (1000000 + i)::text END,
  CASE WHEN i % 10 < 7 THEN 1 END,
  CASE WHEN i % 10 < 7 THEN created_at + interval '2 minutes' END,
  'user:default/' || org || '-engineer',
  'user:default/' || org || '-engineer',
  created_at,
  date_trunc('milliseconds', created_at + random() * (now() - created_at))
FROM (
  SELECT
    i,
    CASE WHEN i % 20 < 8 THEN 'finance' WHEN i % 20 < 15 THEN 'retail' ELSE 'healthcare' END AS org,
    -- about two years of history, oldest first
    date_trunc('milliseconds', now() - interval '730 days' * (1 - (i - random()) / :pipelines)) AS created_at
  FROM generate_series(1, :pipelines) AS i
) AS s;

\echo seeding pipeline_versions
INSERT INTO pipeline_versions (
  organization_id, pipeline_id, version, spec, spec_hash, comment, restored_from_version,
  created_by, created_at
)
SELECT
  organization_id, id, 1, spec, encode(sha256(convert_to(spec, 'UTF8')), 'hex'),
  'Initial version', NULL, created_by, created_at
FROM (
  SELECT p.*, json_build_object(
    'pipeline_type', p.pipeline_type,
    'schedule', p.schedule,
    'source', json_build_object('type', 'mysql', 'connection', p.organization_id || '-db',
      'table', split_part(p.name, '-', 1), 'incremental_column', 'updated_at'),
    'transformations', json_build_array(
      json_build_object('type', 'filter', 'condition', 'amount > 0'),
      json_build_object('type', 'aggregate', 'group_by', json_build_array('customer_id', 'date'),
        'aggregations', json_build_object('amount', 'sum', 'count', 'count'))),
    'target', json_build_object('type', 'iceberg', 'catalog', p.organization_id || '_catalog',
      'schema', 'analytics', 'table', replace(p.name, '-', '_')),
    'data_quality', json_build_array(json_build_object('type', 'completeness',
      'columns', json_build_array('customer_id', 'amount'), 'threshold', 0.95))
  )::text AS spec
  FROM pipelines p
) AS v;

\echo seeding lineage_edges
-- What the backend writes for each saved pipeline (LineageSync: its source as input, its target as
-- output), so its start-up backfill finds nothing to do.
INSERT INTO lineage_edges (organization_id, pipeline_id, direction, dataset_kind, dataset_ref, columns, updated_at)
SELECT organization_id, id, 'input', 'mysql-table',
       'mysql:' || organization_id || '-db/' || split_part(name, '-', 1), NULL, created_at
FROM pipelines
UNION ALL
SELECT organization_id, id, 'output', 'iceberg-table',
       'iceberg:' || organization_id || '_catalog.analytics.' || replace(name, '-', '_'), NULL, created_at
FROM pipelines;

\echo seeding :runs runs
INSERT INTO runs (
  id, organization_id, pipeline_id, pipeline_version, engine, status, trigger, triggered_by,
  queued_at, submitted_at, started_at, finished_at, rows_read, rows_written, bytes_written,
  duration_ms, dbus, cost, engine_run_id, idempotency_token, attempt, next_attempt_at,
  error_message, watermark_in, watermark_out, summary
)
SELECT
  md5('run:' || j)::uuid::text,
  organization_id,
  pipeline_id,
  1,
  'databricks',
  status,
  CASE WHEN r2 < 0.8 THEN 'schedule' WHEN r2 < 0.95 THEN 'manual' ELSE 'api' END,
  CASE WHEN r2 < 0.8 THEN 'scheduler' ELSE 'user:default/' || organization_id || '-engineer' END,
  queued_at,
  CASE WHEN status <> 'queued' THEN queued_at + interval '2 seconds' END,
  CASE WHEN status <> 'queued' THEN started_at END,
  CASE WHEN status IN ('succeeded', 'failed', 'quality_failed', 'cancelled') THEN finished_at END,
  CASE WHEN status = 'succeeded' THEN (r3 * 5000000)::bigint END,
  CASE WHEN status = 'succeeded' THEN (r3 * 4800000)::bigint END,
  CASE WHEN status = 'succeeded' THEN (r3 * 4800000 * 180)::bigint END,
  CASE WHEN status IN ('succeeded', 'failed', 'quality_failed', 'cancelled') THEN duration_ms END,
  CASE WHEN status = 'succeeded' THEN round((duration_ms / 3600000.0 * 4)::numeric, 4)::float8 END,
  CASE WHEN status = 'succeeded' THEN round((duration_ms / 3600000.0 * 4 * 0.55)::numeric, 4)::float8 END,
  CASE WHEN status <> 'queued' THEN (50000000 + j)::text END,
  md5('token:' || j),
  CASE WHEN status = 'failed' THEN 2 ELSE 0 END,
  NULL,
  CASE
    WHEN status = 'failed' THEN 'Task failed: java.sql.SQLTransientConnectionException: Connection is not available, request timed out after 30000ms.'
    WHEN status = 'quality_failed' THEN 'Quality rule 0 (completeness of customer_id, amount) observed 0.91 below threshold 0.95'
  END,
  to_char(queued_at - interval '1 day', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
  CASE WHEN status = 'succeeded' THEN to_char(queued_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') END,
  CASE WHEN status = 'succeeded' THEN format(
    '{"rowsRead":%s,"rowsWritten":%s,"stages":[{"name":"extract","durationMs":%s},'
    '{"name":"transform","durationMs":%s},{"name":"load","durationMs":%s}],'
    '"quality":[{"rule":0,"passed":true,"observed":0.99}],"snapshotId":%s}',
    (r3 * 5000000)::bigint, (r3 * 4800000)::bigint, duration_ms / 4, duration_ms / 2,
    duration_ms / 4, (r3 * 1e15)::bigint) END
FROM (
  SELECT
    t.*,
    t.queued_at + interval '2 seconds' + (10 + t.r1 * 50) * interval '1 second' AS started_at,
    t.queued_at + interval '2 seconds' + (10 + t.r1 * 50) * interval '1 second'
      + t.duration_ms * interval '1 millisecond' AS finished_at,
    CASE
      WHEN t.queued_at > now() - interval '1 minute' THEN 'queued'
      WHEN t.queued_at > now() - interval '10 minutes' THEN 'running'
      WHEN t.r1 < 0.85 THEN 'succeeded'
      WHEN t.r1 < 0.95 THEN 'failed'
      WHEN t.r1 < 0.97 THEN 'quality_failed'
      ELSE 'cancelled'
    END AS status
  FROM (
    SELECT
      u.*,
      p.organization_id,
      p.id AS pipeline_id,
      -- finished before now (runs queued in the last 10 minutes are still active)
      least(u.duration_max_ms, extract(epoch FROM now() - u.queued_at)::bigint * 1000 - 120000)
        AS duration_ms
    FROM (
      SELECT
        j,
        -- a steady rate over the last 180 days, oldest first
        date_trunc('milliseconds', now() - interval '180 days' * (1 - (j - random()) / :runs)) AS queued_at,
        random() AS r0,
        random() AS r1,
        random() AS r2,
        random() AS r3,
        (30000 + random() * 3600000)::bigint AS duration_max_ms
      FROM generate_series(1, :runs) AS j
    ) AS u
    -- one of the pipelines that existed then (pipeline i was created about 730 * (1 - i / :pipelines)
    -- days ago), picked at random
    JOIN pipelines p ON p.id = md5('pipeline:' || greatest(1, floor(u.r0 * (
      floor(:pipelines * (1 - extract(epoch FROM now() - u.queued_at) / extract(epoch FROM interval '730 days'))) - 1
    )))::int)::uuid::text
  ) AS t
  OFFSET 0 -- computes status once per row instead of once per use
) AS s;

\echo rebuilding keys and indexes
DO $$
DECLARE s record;
BEGIN
  FOR s IN SELECT restore FROM bench_saved_ddl ORDER BY kind, seq LOOP
    EXECUTE s.restore;
  END LOOP;
END $$;
DO $$
BEGIN
  IF EXISTS (
    (SELECT * FROM bench_schema_before
     EXCEPT
     (SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
      WHERE indrelid IN ('pipelines'::regclass, 'pipeline_versions'::regclass, 'runs'::regclass)
      UNION ALL
      SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
      WHERE conrelid IN ('pipelines'::regclass, 'pipeline_versions'::regclass, 'runs'::regclass)
         OR confrelid IN ('pipelines'::regclass, 'pipeline_versions'::regclass, 'runs'::regclass)))
  ) THEN
    RAISE EXCEPTION 'the keys and indexes after seeding differ from what the migrations created';
  END IF;
END $$;
\echo seeding cost_records
-- What the backend records for each succeeded Databricks run (billed DBUs × price), with the
-- allocation tags: a day, the owning team (the pipelines are owned by groups), the project.
INSERT INTO cost_records (
  organization_id, cost_center, environment, service_type, pipeline_id, run_id, quantity, unit,
  amount, currency, period, recorded_at, owner_ref, owner_team, project, source, measurement, day
)
SELECT
  r.organization_id,
  CASE r.organization_id WHEN 'finance' THEN 'FIN-001' WHEN 'retail' THEN 'RET-001' ELSE 'HLT-001' END,
  'production', 'compute', r.pipeline_id, r.id, r.dbus, 'DBU', r.cost, 'USD',
  to_char(r.finished_at AT TIME ZONE 'UTC', 'YYYY-MM'), r.finished_at, p.owner, p.owner,
  r.pipeline_id, 'databricks-billing', 'measured',
  to_char(r.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')
FROM runs r
JOIN pipelines p ON p.id = r.pipeline_id
WHERE r.status = 'succeeded';

-- The daily totals the backend keeps alongside the records, up to date.
INSERT INTO cost_daily_totals (
  organization_id, day, owner_team, service_type, cost_center, environment, project, source,
  amount, records
)
SELECT organization_id, day, coalesce(owner_team, ''), service_type, cost_center, environment,
       '', coalesce(source, ''), sum(amount), count(*)
FROM cost_records
GROUP BY 1, 2, 3, 4, 5, 6, 8;
INSERT INTO cost_rollup_state (organization_id, last_record_id)
SELECT organization_id, max(id) FROM cost_records GROUP BY organization_id;

-- The run summary the backend keeps per pipeline as runs finish (the dashboard's health reads it):
-- the latest run with a deciding outcome and the latest success (no quality results are seeded).
INSERT INTO pipeline_run_summary (
  pipeline_id, organization_id, latest_finished_status, latest_finished_queued_at,
  last_succeeded_queued_at, last_succeeded_finished_at
)
SELECT f.pipeline_id, f.organization_id, f.status, f.queued_at, s.queued_at, s.finished_at
FROM (
  SELECT DISTINCT ON (pipeline_id) pipeline_id, organization_id, status, queued_at
  FROM runs WHERE status IN ('succeeded', 'failed', 'quality_failed')
  ORDER BY pipeline_id, queued_at DESC
) f
LEFT JOIN (
  SELECT DISTINCT ON (pipeline_id) pipeline_id, queued_at, finished_at
  FROM runs WHERE status = 'succeeded'
  ORDER BY pipeline_id, queued_at DESC
) s ON s.pipeline_id = f.pipeline_id;

SET session_replication_role = DEFAULT;
\echo vacuum analyze
VACUUM ANALYZE pipelines;
VACUUM ANALYZE pipeline_versions;
VACUUM ANALYZE runs;
VACUUM ANALYZE lineage_edges;
VACUUM ANALYZE cost_records;
VACUUM ANALYZE cost_daily_totals;
VACUUM ANALYZE pipeline_run_summary;
