// @ts-check

/**
 * The run driver asks, every few seconds, for the runs cancelled through the API in the last
 * hour that an engine may still be running (src/runs/DriverStore.ts, `cancelledSince`). With no
 * index for it, PostgreSQL read every cancelled run's row (at 1,000,000 runs, ~200 ms per
 * tick); a partial index holds just the cancelled runs an engine started, by finish time.
 */

const NAME = 'runs_cancelled_finished_idx';

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('runs', table => {
    // A literal: neither database takes parameters in an index's WHERE clause.
    table.index(['finished_at'], NAME, {
      predicate: knex.whereRaw(
        "status = 'cancelled' and engine_run_id is not null",
      ),
    });
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('runs', table => {
    table.dropIndex(['finished_at'], NAME);
  });
};
