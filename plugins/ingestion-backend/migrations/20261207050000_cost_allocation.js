// @ts-check

/**
 * Spend end to end: every cost record carries the brief's six allocation tags (Owner = the owning
 * team, Project) plus table, the source that produced it and whether it was measured or
 * estimated, and the day it belongs to (daily granularity). Budgets per organization and team,
 * and the alerts they raised: one row per budget, threshold, month and kind, whose unique key is
 * what makes an alert fire once even with several backend replicas. Platform API requests are
 * counted per organization and day.
 *
 * Existing records are backfilled: the day from when they were recorded, the owner from their
 * pipeline (a group owner is its own team; a person's team is resolved from the catalog by the
 * backend, which fills `owner_team` later), the source from the unit and the Databricks billing.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('cost_records', table => {
    table
      .string('owner_ref', 255)
      .comment('the pipeline owner as recorded (user or group ref)');
    table
      .string('owner_team', 255)
      .comment('Owner tag: the team charged (group ref); null until resolved');
    table.string('project', 128).comment('Project tag');
    table.string('table_id', 36).comment('data_tables id, for storage');
    table
      .string('source', 32)
      .comment(
        'databricks-billing | databricks-estimate | local-measured | storage-sample | storage-written | platform-usage | demo',
      );
    table.string('measurement', 16).comment('measured | estimated');
    table.string('day', 10).comment('YYYY-MM-DD (UTC) the cost belongs to');
    table.index(['organization_id', 'day'], 'cost_org_day_idx');
    table.index(['organization_id', 'owner_team', 'day'], 'cost_org_team_idx');
  });

  await knex.schema.createTable('cost_budgets', table => {
    table.comment(
      'Monthly budgets set by admins; organizations without one use the configured budget',
    );
    table.string('organization_id', 64).notNullable();
    table
      .string('team', 255)
      .notNullable()
      .comment("group ref, or '' for the organization's own budget");
    table.double('monthly').notNullable();
    table.text('thresholds').notNullable().comment('JSON array of fractions');
    table.string('updated_by', 255).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.primary(['organization_id', 'team'], 'cost_budgets_pk');
  });

  await knex.schema.createTable('cost_budget_alerts', table => {
    table.comment(
      'Budget thresholds crossed; the primary key makes each alert fire once per month',
    );
    table.string('organization_id', 64).notNullable();
    table.string('team', 255).notNullable().comment("'' for the organization");
    table.string('period', 7).notNullable();
    table.double('threshold').notNullable();
    table.string('kind', 16).notNullable().comment('actual | forecast');
    table.double('amount').notNullable().comment('spend or forecast');
    table.double('budget').notNullable();
    table.timestamp('raised_at', { useTz: true }).notNullable();
    table.primary(
      ['organization_id', 'team', 'period', 'threshold', 'kind'],
      'cost_budget_alerts_pk',
    );
  });

  await knex.schema.createTable('cost_api_requests', table => {
    table.comment('Platform usage: API requests per organization and day');
    table.string('organization_id', 64).notNullable();
    table.string('day', 10).notNullable();
    table.bigInteger('requests').notNullable();
    table.bigInteger('billed').notNullable().defaultTo(0);
    table.primary(['organization_id', 'day'], 'cost_api_requests_pk');
  });

  await backfill(knex);
};

/** @param {import('knex').Knex} knex */
async function backfill(knex) {
  const toDay = (/** @type {unknown} */ value) =>
    new Date(
      typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : /** @type {any} */ (value),
    )
      .toISOString()
      .slice(0, 10);
  const billed = new Set(
    (
      await knex('databricks_billing')
        .whereNotNull('billed_dbus')
        .select('run_id')
    ).map(row => row.run_id),
  );
  let lastId = 0;
  for (;;) {
    const rows = await knex('cost_records')
      .where('id', '>', lastId)
      .orderBy('id')
      .limit(1000)
      .select('id', 'recorded_at', 'unit', 'run_id');
    if (rows.length === 0) break;
    lastId = Number(rows[rows.length - 1].id);
    /** @type {Map<string, number[]>} */
    const groups = new Map();
    for (const row of rows) {
      let source = 'storage-written';
      if (row.unit === 'DBU') {
        source = billed.has(row.run_id)
          ? 'databricks-billing'
          : 'databricks-estimate';
      } else if (row.unit === 'request') {
        source = 'platform-usage';
      }
      const key = `${toDay(row.recorded_at)}|${source}`;
      groups.set(key, [...(groups.get(key) ?? []), Number(row.id)]);
    }
    for (const [key, ids] of groups) {
      const [day, source] = key.split('|');
      await knex('cost_records')
        .whereIn('id', ids)
        .update({
          day,
          source,
          measurement:
            source === 'databricks-billing' ? 'measured' : 'estimated',
        });
    }
  }
  // The Owner tag from each pipeline: a group owns its costs itself.
  const owners = await knex('pipelines').select(
    'id',
    'organization_id',
    'owner',
  );
  for (const pipeline of owners) {
    await knex('cost_records')
      .where({
        organization_id: pipeline.organization_id,
        pipeline_id: pipeline.id,
      })
      .update({
        owner_ref: pipeline.owner,
        owner_team: String(pipeline.owner).startsWith('group:')
          ? pipeline.owner
          : null,
      });
  }
}

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cost_api_requests');
  await knex.schema.dropTable('cost_budget_alerts');
  await knex.schema.dropTable('cost_budgets');
  await knex.schema.alterTable('cost_records', table => {
    table.dropIndex(
      ['organization_id', 'owner_team', 'day'],
      'cost_org_team_idx',
    );
    table.dropIndex(['organization_id', 'day'], 'cost_org_day_idx');
    table.dropColumn('day');
    table.dropColumn('measurement');
    table.dropColumn('source');
    table.dropColumn('table_id');
    table.dropColumn('project');
    table.dropColumn('owner_team');
    table.dropColumn('owner_ref');
  });
};
