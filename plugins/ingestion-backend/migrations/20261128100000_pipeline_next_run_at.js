// @ts-check

/**
 * When the run driver next looks at a scheduled pipeline. The pipelines store sets it to the save
 * time whenever a pipeline with a schedule is created or changed ("look now"); the driver moves it
 * to the schedule's next fire time after each look. So a tick reads only the pipelines that are
 * due, through the index, instead of every scheduled pipeline.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('pipelines', table => {
    table
      .timestamp('next_run_at', { useTz: true })
      .nullable()
      .comment(
        'when the run driver next evaluates the schedule; null when nothing is scheduled locally',
      );
    table.index(
      ['organization_id', 'next_run_at'],
      'pipelines_next_run_at_idx',
    );
  });
  // Existing scheduled pipelines are looked at on the first tick.
  await knex('pipelines')
    .whereNotNull('schedule')
    .update({ next_run_at: knex.ref('updated_at') });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('pipelines', table => {
    table.dropIndex(
      ['organization_id', 'next_run_at'],
      'pipelines_next_run_at_idx',
    );
    table.dropColumn('next_run_at');
  });
};
