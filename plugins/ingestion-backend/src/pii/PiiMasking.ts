import {
  detectPii,
  masksPii,
  piiMaskTransform,
  piiTypesOfName,
  withPiiMasking,
  type PiiMaskedColumn,
  type PiiType,
  type PipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type {
  StagedOutputReview,
  StagedOutputSample,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { Knex } from 'knex';

const parse = <T>(text: string | null | undefined, fallback: T): T => {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

/**
 * The governance policy's `mask_in_non_production` for runs: which columns of a run's output are
 * masked, and why. Two sources, so that even a pipeline's first run never writes clear PII:
 * - the target table's PII tags (runs, scans, Iceberg discovery), added to the spec the engine
 *   executes as a last `mask` transform ({@link withPiiMasking}), which every engine honours;
 * - a detection over a sample of the rows an engine staged for commit ({@link reviewStaged}),
 *   for columns nobody tagged yet.
 * Production runs are not masked; encryption at rest is the storage's job.
 */
export class PiiMasking {
  constructor(private readonly knex: Knex) {}

  /**
   * Column → PII kinds of the table a pipeline writes: the tables it wrote before, and the table
   * its spec names (written or discovered), always within the organization.
   */
  async knownPiiColumns(
    organizationId: string,
    pipelineId: string,
    spec: PipelineSpec,
  ): Promise<Record<string, PiiType[]>> {
    const target = spec.target;
    const rows: Array<{
      pii_columns: string | null;
      pii_findings: string | null;
    }> = await this.knex('data_tables as t')
      .leftJoin('table_catalog_state as s', function join() {
        this.on('s.table_id', '=', 't.id').andOn(
          's.organization_id',
          '=',
          't.organization_id',
        );
      })
      .where('t.organization_id', organizationId)
      .andWhere(where => {
        where.where('t.pipeline_id', pipelineId);
        if (target.type === 'iceberg') {
          where.orWhere({
            't.format': 'iceberg',
            't.catalog_name': target.catalog,
            't.namespace': target.schema,
            't.table_name': target.table,
          });
        }
      })
      .select('t.pii_columns', 's.pii_findings');
    const known: Record<string, PiiType[]> = {};
    const add = (column: string, types: PiiType[]) => {
      known[column] = [...new Set([...(known[column] ?? []), ...types])];
    };
    for (const row of rows) {
      for (const column of parse<string[]>(row.pii_columns, [])) {
        add(column, piiTypesOfName(column));
      }
      const findings = parse<Record<string, PiiType[]>>(row.pii_findings, {});
      for (const [column, types] of Object.entries(findings)) {
        if (types.length > 0) add(column, types);
      }
    }
    return known;
  }

  /** The spec a run executes, with masks for the target's known PII columns outside production. */
  async effectiveSpec(options: {
    organizationId: string;
    environment: string;
    pipelineId: string;
    spec: PipelineSpec;
  }): Promise<{ spec: PipelineSpec; masked: PiiMaskedColumn[] }> {
    if (!masksPii(options.environment)) {
      return { spec: options.spec, masked: [] };
    }
    const known = await this.knownPiiColumns(
      options.organizationId,
      options.pipelineId,
      options.spec,
    );
    return withPiiMasking(options.spec, options.environment, known);
  }

  /**
   * Reviews a sample of a run's staged output before its commit: the PII found (values, or the
   * names of columns without values) tags the table in every environment; outside production,
   * columns not masked yet are masked before anything is written.
   */
  static reviewStaged(
    sample: StagedOutputSample,
    environment: string,
    alreadyMasked: string[],
  ): StagedOutputReview & { masked: PiiMaskedColumn[] } {
    const findings = detectPii(sample);
    const skip = new Set(alreadyMasked);
    const masked: PiiMaskedColumn[] = masksPii(environment)
      ? Object.keys(findings)
          .filter(column => !skip.has(column))
          .sort()
          .map(column => ({
            column,
            types: findings[column],
            source: 'staged' as const,
          }))
      : [];
    return {
      piiColumns: Object.keys(findings),
      transforms:
        masked.length > 0 ? [piiMaskTransform(masked.map(m => m.column))] : [],
      masked,
    };
  }
}
