import type { QualityResult } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Knex } from 'knex';
import { applyAccessFilter, type AccessFilter } from './conditions';
import { openKeyset } from './keyset';
import { recordQualityCheck } from './pipelineRunSummary';
import { toIso, toOptionalNumber, toOptionalString } from './rows';

type QualityRow = {
  id: number | string;
  run_id: string;
  pipeline_id: string;
  rule_index: number;
  rule_type: string;
  columns: string;
  severity: QualityResult['severity'];
  threshold: number | null;
  observed: number | null;
  passed: boolean | number;
  failed_rows: number | string | null;
  message: string | null;
  created_at: Date | number | string;
};

export type NewQualityResult = Omit<QualityResult, 'id' | 'createdAt'> & {
  organizationId: string;
  at: Date;
};

/** Quality rule outcomes per run; readable where the run's pipeline is. */
export interface QualityStore {
  list(
    filter: AccessFilter,
    query: {
      pipelineId?: string;
      runId?: string;
      cursor?: string;
      limit: number;
    },
  ): Promise<{ items: QualityResult[]; nextCursor?: string }>;
  add(results: NewQualityResult[]): Promise<void>;
}

export class DatabaseQualityStore implements QualityStore {
  constructor(private readonly knex: Knex) {}

  async list(
    filter: AccessFilter,
    query: {
      pipelineId?: string;
      runId?: string;
      cursor?: string;
      limit: number;
    },
  ) {
    // Ids grow with time, so the id alone orders newest first.
    const keyset = await openKeyset<QualityRow>(this.knex, {
      list: 'quality',
      scope: { filter, pipelineId: query.pipelineId, runId: query.runId },
      column: 'id',
      order: 'desc',
      valueType: 'integer',
      idType: 'integer',
      cursor: query.cursor,
      limit: query.limit,
      valueOf: row => Number(row.id),
      idOf: row => String(row.id),
    });
    const builder = this.knex('quality_results as q')
      .join('pipelines as p', 'p.id', 'q.pipeline_id')
      .select('q.*');
    applyAccessFilter(builder, filter, 'p');
    if (query.pipelineId) builder.where('q.pipeline_id', query.pipelineId);
    if (query.runId) builder.where('q.run_id', query.runId);
    keyset.apply(builder, 'q');
    const page = keyset.page((await builder) as QualityRow[]);
    return {
      items: page.rows.map(row => ({
        id: String(row.id),
        runId: row.run_id,
        pipelineId: row.pipeline_id,
        ruleIndex: Number(row.rule_index),
        ruleType: row.rule_type,
        columns: JSON.parse(row.columns),
        severity: row.severity,
        threshold: toOptionalNumber(row.threshold),
        observed: toOptionalNumber(row.observed),
        passed: Boolean(row.passed),
        failedRows: toOptionalNumber(row.failed_rows),
        message: toOptionalString(row.message),
        createdAt: toIso(row.created_at),
      })),
      nextCursor: page.nextCursor,
    };
  }

  async add(results: NewQualityResult[]) {
    if (results.length === 0) return;
    await this.knex.transaction(async tx => {
      await this.insert(tx, results);
      // Each checked run, as of its latest result, for the dashboard's health.
      const checks = new Map<string, NewQualityResult>();
      for (const r of results) {
        const seen = checks.get(r.runId);
        if (!seen || seen.at < r.at) checks.set(r.runId, r);
      }
      for (const r of checks.values()) {
        await recordQualityCheck(tx, {
          organizationId: r.organizationId,
          pipelineId: r.pipelineId,
          runId: r.runId,
          at: r.at,
        });
      }
    });
  }

  private async insert(tx: Knex.Transaction, results: NewQualityResult[]) {
    await tx('quality_results').insert(
      results.map(r => ({
        organization_id: r.organizationId,
        run_id: r.runId,
        pipeline_id: r.pipelineId,
        rule_index: r.ruleIndex,
        rule_type: r.ruleType,
        columns: JSON.stringify(r.columns),
        severity: r.severity,
        threshold: r.threshold ?? null,
        observed: r.observed ?? null,
        passed: r.passed,
        failed_rows: r.failedRows ?? null,
        message: r.message ?? null,
        created_at: r.at,
      })),
    );
  }
}
