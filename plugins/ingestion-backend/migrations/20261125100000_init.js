// @ts-check

/**
 * The ingestion store. Every table carries `organization_id`, and every index leads with it, so a
 * tenant's rows are always found (and only found) through its organization.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('pipelines', table => {
    table.comment('Pipelines; the spec lives in immutable pipeline_versions');
    table.string('id', 36).primary();
    table.string('organization_id', 64).notNullable();
    table.string('name', 128).notNullable();
    table.text('description');
    table.string('owner', 255).notNullable().comment('Entity ref, lower-case');
    table.string('pipeline_type', 16).notNullable();
    table.string('schedule', 128).comment('5-field cron');
    table.string('schedule_timezone', 64);
    table.string('engine', 32).notNullable();
    table.integer('current_version').notNullable();
    table.string('databricks_job_id', 64);
    table.integer('deployed_version');
    table.timestamp('deployed_at', { useTz: true });
    table.string('created_by', 255).notNullable();
    table.string('updated_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.unique(['organization_id', 'name'], {
      indexName: 'pipelines_org_name_uq',
    });
    table.index(
      ['organization_id', 'updated_at', 'id'],
      'pipelines_org_updated_idx',
    );
    table.index(['organization_id', 'owner'], 'pipelines_org_owner_idx');
  });

  await knex.schema.createTable('pipeline_versions', table => {
    table.comment(
      'Immutable pipeline specs; a rollback is a new version equal to an old one',
    );
    table.string('organization_id', 64).notNullable();
    table
      .string('pipeline_id', 36)
      .notNullable()
      .references('id')
      .inTable('pipelines')
      .onDelete('CASCADE');
    table.integer('version').notNullable();
    table.text('spec').notNullable().comment('JSON of the validated spec');
    table.string('spec_hash', 64).notNullable();
    table.string('comment', 500);
    table.integer('restored_from_version');
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.primary(['pipeline_id', 'version'], 'pipeline_versions_pk');
    table.index(
      ['organization_id', 'pipeline_id'],
      'pipeline_versions_org_idx',
    );
  });

  await knex.schema.createTable('runs', table => {
    table.comment('Runs: one execution of one pipeline version on one engine');
    table.string('id', 36).primary();
    table.string('organization_id', 64).notNullable();
    table
      .string('pipeline_id', 36)
      .notNullable()
      .references('id')
      .inTable('pipelines')
      .onDelete('CASCADE');
    table.integer('pipeline_version').notNullable();
    table.string('engine', 32).notNullable();
    table.string('status', 32).notNullable();
    table
      .string('trigger', 16)
      .notNullable()
      .comment('manual | schedule | api');
    table.string('triggered_by', 255).notNullable();
    table.timestamp('queued_at', { useTz: true }).notNullable();
    table.timestamp('submitted_at', { useTz: true });
    table.timestamp('started_at', { useTz: true });
    table.timestamp('finished_at', { useTz: true });
    table.bigInteger('rows_read');
    table.bigInteger('rows_written');
    table.bigInteger('bytes_written');
    table.bigInteger('duration_ms');
    table.double('dbus');
    table.double('cost');
    table.string('engine_run_id', 128);
    table.string('idempotency_token', 64).notNullable();
    table.integer('attempt').notNullable().defaultTo(0);
    table.timestamp('next_attempt_at', { useTz: true });
    table.text('error_message');
    table.string('watermark_in', 255);
    table.string('watermark_out', 255);
    table.text('summary').comment('JSON summary reported by the engine');
    table.index(
      ['organization_id', 'pipeline_id', 'queued_at'],
      'runs_org_pipeline_idx',
    );
    table.index(['organization_id', 'queued_at', 'id'], 'runs_org_queued_idx');
    table.index(['organization_id', 'status'], 'runs_org_status_idx');
  });

  await knex.schema.createTable('run_events', table => {
    table.comment('State transitions and log lines of runs');
    table.bigIncrements('id').primary();
    table.string('organization_id', 64).notNullable();
    table
      .string('run_id', 36)
      .notNullable()
      .references('id')
      .inTable('runs')
      .onDelete('CASCADE');
    table.timestamp('at', { useTz: true }).notNullable();
    table.string('kind', 16).notNullable().comment('transition | log');
    table.string('level', 8).notNullable().comment('info | warn | error');
    table.string('status', 32).comment('the status entered, for transitions');
    table.text('message').notNullable();
    table.index(['organization_id', 'run_id', 'id'], 'run_events_org_run_idx');
  });

  await knex.schema.createTable('quality_results', table => {
    table.comment('Quality rule outcomes per run');
    table.bigIncrements('id').primary();
    table.string('organization_id', 64).notNullable();
    table
      .string('run_id', 36)
      .notNullable()
      .references('id')
      .inTable('runs')
      .onDelete('CASCADE');
    table.string('pipeline_id', 36).notNullable();
    table.integer('rule_index').notNullable();
    table.string('rule_type', 32).notNullable();
    table.text('columns').notNullable().comment('JSON array');
    table.string('severity', 8).notNullable();
    table.double('threshold');
    table.double('observed');
    table.boolean('passed').notNullable();
    table.bigInteger('failed_rows');
    table.text('message');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(
      ['organization_id', 'pipeline_id', 'created_at'],
      'quality_org_pipeline_idx',
    );
    table.index(['organization_id', 'run_id'], 'quality_org_run_idx');
  });

  await knex.schema.createTable('data_tables', table => {
    table.comment(
      'Tables the pipelines write (Iceberg, Delta, Parquet), as the portal shows them',
    );
    table.string('id', 36).primary();
    table.string('organization_id', 64).notNullable();
    table.string('format', 16).notNullable();
    table.string('catalog_name', 255);
    table.string('namespace', 255);
    table.string('table_name', 255);
    table.string('location', 1000).comment('path or metadata location');
    table.string('owner', 255).notNullable();
    table.string('pipeline_id', 36);
    table.string('classification', 16);
    table.text('pii_columns').comment('JSON array');
    table.text('schema').comment('JSON of the current schema');
    table.bigInteger('row_count');
    table.bigInteger('size_bytes');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.unique(
      [
        'organization_id',
        'format',
        'catalog_name',
        'namespace',
        'table_name',
        'location',
      ],
      {
        indexName: 'data_tables_org_identity_uq',
      },
    );
    table.index(
      ['organization_id', 'updated_at', 'id'],
      'data_tables_org_updated_idx',
    );
  });

  await knex.schema.createTable('lineage_edges', table => {
    table.comment(
      'dataset -> pipeline -> dataset edges, with column-level lineage',
    );
    table.bigIncrements('id').primary();
    table.string('organization_id', 64).notNullable();
    table.string('pipeline_id', 36).notNullable();
    table.string('direction', 8).notNullable().comment('input | output');
    table.string('dataset_kind', 32).notNullable();
    table.string('dataset_ref', 1000).notNullable();
    table.text('columns').comment('JSON column lineage for outputs');
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.index(['organization_id', 'pipeline_id'], 'lineage_org_pipeline_idx');
    table.index(['organization_id', 'dataset_kind'], 'lineage_org_dataset_idx');
  });

  await knex.schema.createTable('cost_records', table => {
    table.comment(
      'Usage turned into cost, with the brief cost allocation dimensions',
    );
    table.bigIncrements('id').primary();
    table.string('organization_id', 64).notNullable();
    table.string('cost_center', 32).notNullable();
    table.string('environment', 16).notNullable();
    table
      .string('service_type', 16)
      .notNullable()
      .comment('compute | storage | platform');
    table.string('pipeline_id', 36);
    table.string('run_id', 36);
    table.double('quantity').notNullable();
    table.string('unit', 16).notNullable().comment('DBU | GB-month | request');
    table.double('amount').notNullable();
    table.string('currency', 3).notNullable();
    table.string('period', 7).notNullable().comment('YYYY-MM');
    table.timestamp('recorded_at', { useTz: true }).notNullable();
    table.index(['organization_id', 'period'], 'cost_org_period_idx');
    table.index(['organization_id', 'pipeline_id'], 'cost_org_pipeline_idx');
  });

  await knex.schema.createTable('budget_alerts', table => {
    table.comment(
      'Budget thresholds crossed, so each alert is raised once per month',
    );
    table.string('organization_id', 64).notNullable();
    table.string('period', 7).notNullable();
    table.double('threshold').notNullable();
    table.double('spent').notNullable();
    table.double('budget').notNullable();
    table.timestamp('raised_at', { useTz: true }).notNullable();
    table.primary(
      ['organization_id', 'period', 'threshold'],
      'budget_alerts_pk',
    );
  });

  await knex.schema.createTable('connections', table => {
    table.comment(
      'Source credentials; the secret is AES-256-GCM encrypted under a per-organization key',
    );
    table.string('id', 36).primary();
    table.string('organization_id', 64).notNullable();
    table.string('name', 128).notNullable();
    table.string('type', 32).notNullable();
    table
      .text('settings')
      .notNullable()
      .comment('JSON of the non-secret settings');
    table.text('secret_ciphertext').notNullable();
    table.string('secret_iv', 32).notNullable();
    table.string('secret_tag', 32).notNullable();
    table.string('key_id', 64).notNullable();
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('rotated_at', { useTz: true });
    table.unique(['organization_id', 'name'], {
      indexName: 'connections_org_name_uq',
    });
  });

  await knex.schema.createTable('audit_events', table => {
    table.comment('Every mutation and every denial');
    table.bigIncrements('id').primary();
    table.string('organization_id', 64).notNullable();
    table.string('actor', 255).notNullable();
    table.string('action', 64).notNullable();
    table.string('target_type', 32).notNullable();
    table.string('target_id', 255);
    table
      .string('outcome', 16)
      .notNullable()
      .comment('success | denied | failure');
    table.text('reason');
    table.text('meta').comment('JSON');
    table.timestamp('at', { useTz: true }).notNullable();
    table.index(['organization_id', 'at', 'id'], 'audit_org_at_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  for (const table of [
    'audit_events',
    'connections',
    'budget_alerts',
    'cost_records',
    'lineage_edges',
    'data_tables',
    'quality_results',
    'run_events',
    'runs',
    'pipeline_versions',
    'pipelines',
  ]) {
    await knex.schema.dropTable(table);
  }
};
