import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { teamOfOwner } from '../database/CostsStore';
import type { SpendRollup } from './SpendRollup';
import type { TeamOrganization, TeamResolver } from './teams';

/** The organization facts allocation needs. */
export interface AllocationOrganization extends TeamOrganization {
  /** The organization's Project tag, when configured. */
  project?: string;
}

const toDay = (value: unknown) =>
  new Date(
    typeof value === 'string' && /^\d+$/.test(value)
      ? Number(value)
      : (value as string | number | Date),
  )
    .toISOString()
    .slice(0, 10);

/**
 * Completes the allocation tags of an organization's cost records that were written without
 * them: records other parts of the backend insert (the Databricks billing reconciliation), and
 * records whose owner is a person, whose team comes from the catalog. Idempotent; run after each
 * finished run and on a schedule.
 */
export class CostAllocator {
  constructor(
    private readonly options: {
      knex: Knex;
      teams?: TeamResolver;
      /** Daily totals to recompute for the days whose records changed tags. */
      rollup?: SpendRollup;
      logger: LoggerService;
    },
  ) {}

  async complete(organization: AllocationOrganization): Promise<void> {
    const { knex } = this.options;
    const org = organization.id;
    const touched = new Set<string>();
    /** Updates the records a query selects, remembering their days. */
    const update = async (
      query: Knex.QueryBuilder,
      values: Record<string, unknown>,
    ) => {
      if (this.options.rollup) {
        for (const row of await query.clone().distinct('day')) {
          if (row.day) touched.add(row.day);
        }
      }
      await query.update(values);
    };
    // The owner of pipelines' records that arrived without one.
    const untagged = await knex('cost_records as c')
      .join('pipelines as p', join =>
        join
          .on('p.id', 'c.pipeline_id')
          .andOn('p.organization_id', 'c.organization_id'),
      )
      .where('c.organization_id', org)
      .whereNull('c.owner_ref')
      .distinct({ pipelineId: 'p.id', owner: 'p.owner' });
    for (const { pipelineId, owner } of untagged) {
      await update(
        knex('cost_records')
          .where({ organization_id: org, pipeline_id: pipelineId })
          .whereNull('owner_ref'),
        { owner_ref: owner, owner_team: teamOfOwner(owner) ?? null },
      );
    }
    // A person's team, from the catalog.
    if (this.options.teams) {
      const people = await knex('cost_records')
        .where('organization_id', org)
        .whereNull('owner_team')
        .whereNotNull('owner_ref')
        .distinct('owner_ref');
      for (const { owner_ref: ownerRef } of people) {
        const team = await this.options.teams.teamOf(organization, ownerRef);
        if (team) {
          await update(
            knex('cost_records')
              .where({ organization_id: org, owner_ref: ownerRef })
              .whereNull('owner_team'),
            { owner_team: team },
          );
        }
      }
    }
    // The Project tag: the organization's, else the pipeline's id (as Databricks cluster tags).
    await update(
      knex('cost_records')
        .where('organization_id', org)
        .whereNull('project')
        .whereNotNull('pipeline_id'),
      { project: organization.project ?? knex.ref('pipeline_id') },
    );
    if (organization.project) {
      await update(
        knex('cost_records').where('organization_id', org).whereNull('project'),
        { project: organization.project },
      );
    }
    // Billed DBUs replaced the estimate: the record is now measured.
    const billed = knex('databricks_billing')
      .where('organization_id', org)
      .whereNotNull('billed_dbus')
      .select('run_id');
    await update(
      knex('cost_records')
        .where({ organization_id: org, unit: 'DBU' })
        .where(q =>
          q.whereNull('source').orWhere('source', 'databricks-estimate'),
        )
        .whereIn('run_id', billed),
      { source: 'databricks-billing', measurement: 'measured' },
    );
    await update(
      knex('cost_records')
        .where({ organization_id: org, unit: 'DBU' })
        .whereNull('source'),
      { source: 'databricks-estimate', measurement: 'estimated' },
    );
    // The day of records inserted without one.
    const undated = await knex('cost_records')
      .where('organization_id', org)
      .whereNull('day')
      .select('id', 'recorded_at')
      .limit(10_000);
    for (const row of undated) {
      const day = toDay(row.recorded_at);
      touched.add(day);
      await knex('cost_records')
        .where({ organization_id: org, id: row.id })
        .update({ day });
    }
    await this.options.rollup?.refreshDays(org, touched);
  }
}
