-- Seeds the ingestion schema (created by the plugin's own knex migrations) with synthetic tenants:
--   :pipelines pipelines over 3 organizations (finance 40 %, retail 35 %, healthcare 25 %,
--   interleaved by creation time), one pipeline_versions row and two lineage_edges rows each, and
--   :runs runs at a steady rate over the last 180 days, each of a pipeline that existed then; the
--   runs of the last 10 minutes are still queued or running (within the organizations' quotas);
--   and what the backend writes as those runs finish and as people use the portal: the Iceberg
--   table each pipeline writes (data_tables), quality results (20 % of the pipelines define 1-3
--   rules), cost records (billed through databricks_billing, fully tagged), daily cost totals, the
--   per-pipeline run summary, and the audit log (pipelines created and deployed, runs triggered by
--   hand and cancelled, a few admin actions and denials a day).
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
-- Every table this script loads:
CREATE TEMP TABLE bench_seeded (rel regclass);
INSERT INTO bench_seeded VALUES
  ('pipelines'), ('pipeline_versions'), ('runs'), ('lineage_edges'), ('data_tables'),
  ('quality_results'), ('databricks_billing'), ('cost_records'), ('cost_daily_totals'),
  ('cost_rollup_state'), ('pipeline_run_summary'), ('audit_events');
CREATE TEMP TABLE bench_saved_ddl (seq serial, kind text, restore text, drop_stmt text);
INSERT INTO bench_saved_ddl (kind, restore, drop_stmt)
SELECT
  CASE c.contype WHEN 'f' THEN '3-fk' ELSE '1-key' END,
  format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)),
  format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname)
FROM pg_constraint c
WHERE c.contype IN ('p', 'u', 'f')
  AND (c.conrelid IN (SELECT rel FROM bench_seeded) OR c.confrelid IN (SELECT rel FROM bench_seeded))
ORDER BY c.contype = 'f' DESC;  -- foreign keys are dropped first
INSERT INTO bench_saved_ddl (kind, restore, drop_stmt)
SELECT '2-index', pg_get_indexdef(i.indexrelid), format('DROP INDEX %s', i.indexrelid::regclass)
FROM pg_index i
WHERE i.indrelid IN (SELECT rel FROM bench_seeded)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'));
-- the schema as the migrations left it, compared after the restore
CREATE TEMP VIEW bench_schema AS
SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def FROM pg_index
WHERE indrelid IN (SELECT rel FROM bench_seeded)
UNION ALL
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid IN (SELECT rel FROM bench_seeded) OR confrelid IN (SELECT rel FROM bench_seeded);
CREATE TEMP TABLE bench_schema_before AS SELECT * FROM bench_schema;
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

-- Quality rules: 20 % of the pipelines (every fifth, but not the streaming ones) define 1-3
-- (completeness of customer_id and amount, threshold 0.95; a range of amount >= 0 as a warning,
-- threshold 0.99; a row count of at least 1), the others none.
CREATE TEMP TABLE bench_quality_rules AS
SELECT md5('pipeline:' || i)::uuid::text AS pipeline_id,
       CASE WHEN i % 5 = 1 THEN 1 + (i / 5) % 3 ELSE 0 END AS rules
FROM generate_series(1, :pipelines) AS i;
ANALYZE bench_quality_rules;

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
    'data_quality', (SELECT coalesce(json_agg(rule ORDER BY n), '[]') FROM (VALUES
      (0, json_build_object('type', 'completeness', 'columns', json_build_array('customer_id', 'amount'),
        'threshold', 0.95)),
      (1, json_build_object('type', 'range', 'columns', json_build_array('amount'), 'min', 0,
        'severity', 'warn', 'threshold', 0.99)),
      (2, json_build_object('type', 'row_count', 'min', 1))) AS r(n, rule) WHERE n < q.rules)
  )::text AS spec
  FROM pipelines p
  JOIN bench_quality_rules q ON q.pipeline_id = p.id
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
    -- the Databricks engine's message (qualityMessage): the fail rules that did not pass
    WHEN status = 'quality_failed' THEN 'Quality rules failed, nothing was written: completeness(customer_id, amount) (fail)'
  END,
  to_char(queued_at - interval '1 day', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
  CASE WHEN status = 'succeeded' THEN to_char(queued_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') END,
  -- The run's summary as RunResultRecorder writes it (JSON.stringify): the tables the notebook's
  -- result reports (a quality-failed run wrote none) and its quality results, filled in below.
  CASE WHEN status IN ('succeeded', 'quality_failed') THEN format(
    '{"tables":%s,"quality":[]}',
    CASE WHEN status = 'succeeded' THEN format(
      '[{"format":"iceberg","catalogName":"%s_catalog","namespace":"analytics","tableName":"%s"}]',
      organization_id, pipeline_table) ELSE '[]' END) END
FROM (
  SELECT
    t.*,
    CASE
      WHEN t.queued_at > now() - interval '1 minute' THEN 'queued'
      WHEN t.queued_at > now() - interval '10 minutes' THEN 'running'
      WHEN t.r1 < 0.85 THEN 'succeeded'
      WHEN t.r1 < 0.95 THEN 'failed'
      -- only pipelines with quality rules can fail them
      WHEN t.r1 < 0.97 THEN CASE WHEN t.rules > 0 THEN 'quality_failed' ELSE 'failed' END
      ELSE 'cancelled'
    END AS status
  FROM (
    SELECT
      w.*,
      w.started_at + w.duration_ms * interval '1 millisecond' AS finished_at
    FROM (
      SELECT
        u.*,
        p.organization_id,
        p.id AS pipeline_id,
        replace(p.name, '-', '_') AS pipeline_table,
        q.rules,
        date_trunc('milliseconds',
          u.queued_at + interval '2 seconds' + (10 + u.r1 * 50) * interval '1 second') AS started_at,
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
      JOIN bench_quality_rules q ON q.pipeline_id = p.id
    ) AS w
  ) AS t
  OFFSET 0 -- computes status once per row instead of once per use
) AS s;

\echo seeding quality_results
-- What a Databricks notebook's summary becomes (notebookQualityResults): one result per rule of
-- the pipeline's spec, for each run that checked its rows (succeeded, or stopped by a failed
-- rule), at the time the run finished; ids grow with time, as the backend's inserts make them.
INSERT INTO quality_results (
  organization_id, run_id, pipeline_id, rule_index, rule_type, columns, severity, threshold,
  observed, passed, failed_rows, message, created_at
)
SELECT
  organization_id, run_id, pipeline_id, rule_index, rule_type, columns, severity, threshold,
  observed, passed, failed_rows,
  CASE rule_type
    WHEN 'row_count' THEN format('row_count: %s rows; expected 1 to any', total)
    ELSE format('%s: pass rate %s (%s of %s rows failed); threshold %s', label, observed,
      failed_rows, total, threshold)
  END,
  created_at
FROM (
  SELECT
    c.*,
    CASE WHEN rule_type = 'row_count' THEN NULL
      ELSE round(total * (1 - observed))::bigint END AS failed_rows,
    CASE rule_type
      WHEN 'completeness' THEN status = 'succeeded'
      WHEN 'range' THEN observed >= 0.99
      ELSE true
    END AS passed
  FROM (
    SELECT
      r.organization_id, r.id AS run_id, r.pipeline_id, r.status, k.rule_index,
      r.finished_at AS created_at, t.total,
      (ARRAY['completeness', 'range', 'row_count'])[k.rule_index + 1] AS rule_type,
      (ARRAY['completeness(customer_id, amount)', 'range(amount)', 'row_count'])[k.rule_index + 1] AS label,
      (ARRAY['["customer_id","amount"]', '["amount"]', '[]'])[k.rule_index + 1] AS columns,
      (ARRAY['fail', 'warn', 'fail'])[k.rule_index + 1] AS severity,
      (ARRAY[0.95, 0.99, NULL])[k.rule_index + 1]::float8 AS threshold,
      CASE k.rule_index
        -- a succeeded run passed its fail rule; a quality-failed run did not
        WHEN 0 THEN round((CASE WHEN r.status = 'succeeded' THEN 0.96 + 0.04 * random()
                                ELSE 0.85 + 0.09 * random() END)::numeric, 4)::float8
        -- the warning: about one run in six has more than 1 % negative amounts
        WHEN 1 THEN round((0.988 + 0.012 * random())::numeric, 4)::float8
        ELSE t.total::float8
      END AS observed
    FROM runs r
    JOIN bench_quality_rules q ON q.pipeline_id = r.pipeline_id
    CROSS JOIN LATERAL generate_series(0, q.rules - 1) AS k(rule_index)
    CROSS JOIN LATERAL (SELECT coalesce(r.rows_read, (50000 + random() * 5000000)::bigint) AS total) t
    WHERE r.status IN ('succeeded', 'quality_failed') AND q.rules > 0
    OFFSET 0
  ) AS c
) AS v
ORDER BY created_at, run_id, rule_index;

-- The runs' summaries name their quality results (ruleIndex, ruleType, passed), as written.
UPDATE runs r SET summary = replace(r.summary, '"quality":[]', '"quality":' || q.quality)
FROM (
  SELECT run_id, '[' || string_agg(format('{"ruleIndex":%s,"ruleType":"%s","passed":%s}',
    rule_index, rule_type, CASE WHEN passed THEN 'true' ELSE 'false' END), ',' ORDER BY rule_index)
    || ']' AS quality
  FROM quality_results GROUP BY run_id
) q
WHERE q.run_id = r.id;

\echo seeding data_tables
-- The Iceberg table each pipeline's target is, as RunResultRecorder upserts it when a run
-- succeeds: created by the first, updated by the latest; the pipeline's owner; 'internal' (no
-- PII columns reported); no location, schema, row count or size (a Databricks notebook's result
-- reports none).
INSERT INTO data_tables (
  id, organization_id, format, catalog_name, namespace, table_name, location, owner, pipeline_id,
  classification, pii_columns, schema, row_count, size_bytes, created_at, updated_at
)
SELECT
  md5('table:' || p.id)::uuid::text, p.organization_id, 'iceberg', p.organization_id || '_catalog',
  'analytics', replace(p.name, '-', '_'), NULL, p.owner, p.id, 'internal', NULL, NULL, NULL, NULL,
  s.first_at, s.last_at
FROM pipelines p
JOIN (
  SELECT pipeline_id, min(finished_at) AS first_at, max(finished_at) AS last_at
  FROM runs WHERE status = 'succeeded' GROUP BY pipeline_id
) s ON s.pipeline_id = p.id;

\echo seeding databricks_billing
-- The billing reconciliation (DatabricksBillingReconciler): each succeeded run's DBUs billed at
-- its first look, an hour and a quarter after it finished (billing lags the run); the runs that
-- finished since keep their estimate. Billed equals the estimate here, so runs.dbus and cost stay.
INSERT INTO databricks_billing (
  organization_id, run_id, estimated_dbus, billed_dbus, checks, next_check_at, billed_at
)
SELECT organization_id, id, dbus, dbus, 1, NULL, finished_at + interval '75 minutes'
FROM runs
WHERE status = 'succeeded' AND finished_at + interval '75 minutes' <= now();

\echo seeding cost_records
-- What the backend records for each succeeded Databricks run (RunResultRecorder: the estimated
-- DBUs × price, with the allocation tags: the day, the owning team (the pipelines are owned by
-- groups), the organization's project (app-config.yaml's `project: DATA-INGEST` for all three),
-- the table the run wrote), then as the billing reconciliation left it: billed, so measured.
-- The CostAllocator finds nothing to complete.
INSERT INTO cost_records (
  organization_id, cost_center, environment, service_type, pipeline_id, run_id, table_id,
  quantity, unit, amount, currency, period, recorded_at, owner_ref, owner_team, project, source,
  measurement, day
)
SELECT
  r.organization_id,
  CASE r.organization_id WHEN 'finance' THEN 'FIN-001' WHEN 'retail' THEN 'RET-001' ELSE 'HLT-001' END,
  'production', 'compute', r.pipeline_id, r.id, md5('table:' || r.pipeline_id)::uuid::text,
  r.dbus, 'DBU', r.cost, 'USD',
  to_char(r.finished_at AT TIME ZONE 'UTC', 'YYYY-MM'), r.finished_at, p.owner, p.owner,
  'DATA-INGEST',
  CASE WHEN b.run_id IS NOT NULL THEN 'databricks-billing' ELSE 'databricks-estimate' END,
  CASE WHEN b.run_id IS NOT NULL THEN 'measured' ELSE 'estimated' END,
  to_char(r.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')
FROM runs r
JOIN pipelines p ON p.id = r.pipeline_id
LEFT JOIN databricks_billing b ON b.organization_id = r.organization_id AND b.run_id = r.id
WHERE r.status = 'succeeded';

-- The daily storage sample (CostSampler), one record per organization and day over the 180 days:
-- its storage folder (Databricks notebooks report no table sizes, so no record per table), as the
-- day's share of a GB-month at app-config.yaml's 0.023 USD. bench/lib/database.mjs adds the
-- current day's before each run, so the sampler's pass at start-up finds the day sampled.
INSERT INTO cost_records (
  organization_id, cost_center, environment, service_type, pipeline_id, run_id, table_id,
  quantity, unit, amount, currency, period, recorded_at, owner_ref, owner_team, project, source,
  measurement, day
)
SELECT org, cost_center, 'production', 'storage', NULL, NULL, NULL, quantity, 'GB-month',
       quantity * 0.023, 'USD', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM'), at,
       'group:default/' || org, 'group:default/' || org, 'DATA-INGEST', 'storage-sample', 'measured',
       to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD')
FROM (
  SELECT o.org, o.cost_center, d.at,
         o.gb / extract(day FROM date_trunc('month', d.at AT TIME ZONE 'UTC') + interval '1 month - 1 day')
           AS quantity
  FROM (VALUES ('finance', 'FIN-001', 2048.0), ('retail', 'RET-001', 3072.0),
               ('healthcare', 'HLT-001', 1024.0)) AS o(org, cost_center, gb)
  CROSS JOIN generate_series(1, 180) AS n
  -- sampled a minute after midnight UTC
  CROSS JOIN LATERAL (SELECT date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
    - (n - 1) * interval '1 day' + interval '1 minute' AS at) AS d
  WHERE d.at <= now()
) AS s;

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

-- The run summary the backend keeps per pipeline as runs finish and quality results arrive (the
-- dashboard's health reads it): the latest run with a deciding outcome, the latest success, and
-- the latest checked run (breached when any of its rules did not pass, warnings included).
INSERT INTO pipeline_run_summary (
  pipeline_id, organization_id, latest_finished_status, latest_finished_queued_at,
  last_succeeded_queued_at, last_succeeded_finished_at, latest_checked_run_id, latest_checked_at,
  latest_check_breached
)
SELECT coalesce(f.pipeline_id, c.pipeline_id), coalesce(f.organization_id, c.organization_id),
       f.status, f.queued_at, s.queued_at, s.finished_at, c.run_id, c.created_at,
       coalesce(c.breached, false)
FROM (
  SELECT DISTINCT ON (pipeline_id) pipeline_id, organization_id, status, queued_at
  FROM runs WHERE status IN ('succeeded', 'failed', 'quality_failed')
  ORDER BY pipeline_id, queued_at DESC
) f
LEFT JOIN (
  SELECT DISTINCT ON (pipeline_id) pipeline_id, queued_at, finished_at
  FROM runs WHERE status = 'succeeded'
  ORDER BY pipeline_id, queued_at DESC
) s ON s.pipeline_id = f.pipeline_id
FULL JOIN (
  SELECT l.*, b.breached
  FROM (
    SELECT DISTINCT ON (pipeline_id) pipeline_id, organization_id, run_id, created_at
    FROM quality_results
    ORDER BY pipeline_id, created_at DESC, id DESC
  ) l
  JOIN (SELECT run_id, bool_or(NOT passed) AS breached FROM quality_results GROUP BY run_id) b
    ON b.run_id = l.run_id
) c ON c.pipeline_id = f.pipeline_id;

\echo seeding audit_events
-- The audit log (AuditLog.record: JSON.stringify of the sanitized meta, the actor's entity ref
-- lower-case), oldest first so ids grow with time: each pipeline created and deployed, each run
-- triggered by hand or through the API and each cancelled one, and :runs / 250 admin actions and
-- denials spread over the 180 days (budgets, connection rotations, an analyst refused a pipeline,
-- an engineer refused the audit log).
INSERT INTO audit_events (organization_id, actor, action, target_type, target_id, outcome, reason, meta, at)
SELECT organization_id, actor, action, target_type, target_id, outcome, reason, meta, at
FROM (
  SELECT organization_id, created_by AS actor, 'pipeline.create' AS action,
         'pipeline' AS target_type, id AS target_id, 'success' AS outcome, NULL AS reason,
         format('{"name":%s,"version":1}', to_json(name)) AS meta, created_at AS at
  FROM pipelines
  UNION ALL
  SELECT organization_id, updated_by, 'pipeline.deploy', 'pipeline', id, 'success', NULL,
         format('{"jobId":%s,"version":%s}', to_json(databricks_job_id), deployed_version), deployed_at
  FROM pipelines WHERE deployed_at IS NOT NULL
  UNION ALL
  SELECT organization_id, triggered_by, 'run.trigger', 'run', id, 'success', NULL,
         format('{"pipelineId":"%s","version":%s}', pipeline_id, pipeline_version), queued_at
  FROM runs WHERE trigger <> 'schedule'
  UNION ALL
  SELECT organization_id, 'user:default/' || organization_id || '-engineer', 'run.cancel', 'run', id,
         'success', NULL, NULL, finished_at
  FROM runs WHERE status = 'cancelled'
  UNION ALL
  SELECT org,
         'user:default/' || org || (ARRAY['-admin', '-admin', '-analyst', '-engineer'])[1 + n % 4],
         (ARRAY['budget.update', 'connection.rotate', 'pipeline.create', 'audit.read'])[1 + n % 4],
         (ARRAY['budget', 'connection', 'pipeline', 'audit'])[1 + n % 4],
         CASE n % 4 WHEN 0 THEN org WHEN 1 THEN md5('connection:' || org || ':' || n % 3)::uuid::text END,
         CASE WHEN n % 4 < 2 THEN 'success' ELSE 'denied' END,
         CASE WHEN n % 4 >= 2 THEN format('Your roles in organization ''%s'' do not allow ingestion.%s',
           org, (ARRAY['pipeline.create', 'audit.read'])[n % 4 - 1]) END,
         CASE n % 4
           WHEN 0 THEN format('{"monthly":%s,"thresholds":[0.5,0.8,1]}', 5000 + 1000 * (n % 7))
           WHEN 2 THEN '{"permission":"ingestion.pipeline.create","status":403}'
           WHEN 3 THEN '{"permission":"ingestion.audit.read","status":403}'
         END,
         date_trunc('milliseconds', now() - interval '180 days' * random())
  FROM (
    SELECT n, CASE WHEN n % 20 < 8 THEN 'finance' WHEN n % 20 < 15 THEN 'retail' ELSE 'healthcare' END AS org
    FROM generate_series(1, :runs / 250) AS n
  ) AS a
) AS e
ORDER BY at;

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
  IF EXISTS ((SELECT * FROM bench_schema_before EXCEPT SELECT * FROM bench_schema)
             UNION ALL
             (SELECT * FROM bench_schema EXCEPT SELECT * FROM bench_schema_before)) THEN
    RAISE EXCEPTION 'the keys and indexes after seeding differ from what the migrations created';
  END IF;
END $$;

SET session_replication_role = DEFAULT;
\echo vacuum analyze
VACUUM ANALYZE pipelines;
VACUUM ANALYZE pipeline_versions;
VACUUM ANALYZE runs;
VACUUM ANALYZE lineage_edges;
VACUUM ANALYZE data_tables;
VACUUM ANALYZE quality_results;
VACUUM ANALYZE databricks_billing;
VACUUM ANALYZE cost_records;
VACUUM ANALYZE cost_daily_totals;
VACUUM ANALYZE cost_rollup_state;
VACUUM ANALYZE pipeline_run_summary;
VACUUM ANALYZE audit_events;
