import {
  getSourceDatasets,
  getTargetDataset,
  type PiiMaskedColumn,
  type PipelineSpec,
  type Run,
  type RunStatus,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type {
  EngineRunResult,
  EngineTableCommit,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { DatabaseCostsStore, NewCostRecord } from '../database/CostsStore';
import { DatabaseLineageStore, LineageEdge } from '../database/LineageStore';
import { DatabaseQualityStore } from '../database/QualityStore';
import { DatabaseRunsStore } from '../database/DatabaseRunsStore';
import type { RunProgress } from '../database/RunsStore';
import { DatabaseTablesStore } from '../database/TablesStore';
import type { OrganizationConfig } from '../organizations/organizationConfig';
import { datasetRefString } from './datasetRefs';

/** Prices that turn usage into cost records. */
export interface Pricing {
  /** Per Databricks DBU. */
  dbu: number;
  /** Per GB-month of storage. */
  storageGbMonth: number;
  currency: string;
  /** The local engine's measured usage (`ingestion.costs.localEngine`); see src/costs/pricing.ts. */
  localEngine?: { cpuSecond: number; gbHour: number };
}

const GB = 1024 ** 3;

/** A table a finished run committed to, as recorded. */
export interface RecordedTable extends EngineTableCommit {
  /** The `data_tables` id. */
  id: string;
  /** `catalog.namespace.table` for Iceberg tables. */
  identifier?: string;
}

/** The PII a run masked (outside production), and why. */
export interface RunPiiMasking {
  environment: string;
  columns: PiiMaskedColumn[];
}

/** What {@link RunResultRecorder.finish} recorded, for listeners. */
export interface FinishedRun {
  run: Run;
  tables: RecordedTable[];
  piiMasking?: RunPiiMasking;
}

/**
 * Records the end of a run in one transaction: the final transition (a compare-and-set, so a
 * run is finished once even when two drivers race), then its tables, quality results, lineage
 * and costs. If the transition loses (the run was cancelled meanwhile, or finished by another
 * replica), nothing is recorded.
 */
export class RunResultRecorder {
  constructor(private readonly knex: Knex, private readonly pricing: Pricing) {}

  async finish(options: {
    organization: OrganizationConfig;
    run: {
      id: string;
      pipelineId: string;
      submittedAt?: string;
      startedAt?: string;
    };
    pipeline: { owner: string };
    spec: PipelineSpec;
    status: Extract<RunStatus, 'succeeded' | 'failed' | 'quality_failed'>;
    message: string;
    result?: EngineRunResult & { columnLineage?: Record<string, string[]> };
    /** Columns masked by the governance policy; kept in the run's summary. */
    piiMasking?: RunPiiMasking;
    now: Date;
  }): Promise<FinishedRun | undefined> {
    const { organization, run, result, status, now, spec } = options;
    const org = organization.id;
    const begin = run.startedAt ?? run.submittedAt;
    const costs: Array<Omit<NewCostRecord, 'at'>> = [];
    const period = now.toISOString().slice(0, 7);
    // The brief's allocation tags; a person's team is resolved from the catalog afterwards.
    const base = {
      organizationId: org,
      costCenter: organization.costCenter,
      environment: organization.environment,
      pipelineId: run.pipelineId,
      runId: run.id,
      currency: this.pricing.currency,
      period,
      ownerRef: options.pipeline.owner,
      project: organization.project ?? run.pipelineId,
    };
    if (result && result.dbus > 0) {
      costs.push({
        ...base,
        serviceType: 'compute',
        quantity: result.dbus,
        unit: 'DBU',
        amount: result.dbus * this.pricing.dbu,
        source: 'databricks-estimate',
        measurement: 'estimated',
      });
    }
    const local = this.pricing.localEngine;
    if (result?.usage && local) {
      // Measured on the process that ran it: CPU time, and the peak memory held for the run.
      const { cpuSeconds, peakMemoryBytes, durationSeconds } = result.usage;
      const gbHours = (peakMemoryBytes / GB) * (durationSeconds / 3600);
      costs.push(
        {
          ...base,
          serviceType: 'compute',
          quantity: cpuSeconds,
          unit: 'CPU-second',
          amount: cpuSeconds * local.cpuSecond,
          source: 'local-measured',
          measurement: 'measured',
        },
        {
          ...base,
          serviceType: 'compute',
          quantity: gbHours,
          unit: 'GB-hour',
          amount: gbHours * local.gbHour,
          source: 'local-measured',
          measurement: 'measured',
        },
      );
    }
    // Storage is sampled daily per table (src/costs/StorageSampler.ts), not charged per run.
    const cost = costs.reduce((sum, c) => sum + c.amount, 0);

    const progress: RunProgress = {
      finishedAt: now,
      durationMs: begin ? now.getTime() - new Date(begin).getTime() : undefined,
      ...(result && {
        rowsRead: result.rowsRead,
        rowsWritten: result.rowsWritten,
        bytesWritten: result.bytesWritten,
        dbus: result.dbus,
        cost: Math.round(cost * 1e6) / 1e6,
      }),
      // A run that read nothing never moves the high-water mark, whatever an engine reports (an
      // overridden watermark it started from, say): the next run starts from the last real one.
      ...(status === 'succeeded' &&
      result?.watermarkOut !== undefined &&
      result.rowsRead > 0
        ? { watermarkOut: result.watermarkOut }
        : {}),
      ...(status !== 'succeeded' ? { errorMessage: options.message } : {}),
      summary: result
        ? {
            tables: result.tables.map(t => ({
              format: t.format,
              catalogName: t.catalogName,
              namespace: t.namespace,
              tableName: t.tableName,
              location: t.location,
              snapshotId: t.snapshotId,
            })),
            quality: result.quality.map(q => ({
              ruleIndex: q.ruleIndex,
              ruleType: q.ruleType,
              passed: q.passed,
            })),
            ...(options.piiMasking && { piiMasking: options.piiMasking }),
          }
        : undefined,
    };

    return this.knex.transaction(async trx => {
      const moved = await new DatabaseRunsStore(trx).transition(
        org,
        run.id,
        ['submitted', 'running'],
        status,
        progress,
        options.message,
      );
      if (!moved) {
        return undefined;
      }
      const tables: RecordedTable[] = [];
      if (result) {
        const tablesStore = new DatabaseTablesStore(trx);
        for (const table of result.tables) {
          const id = await tablesStore.upsert({
            id: randomUUID(),
            organizationId: org,
            format: table.format,
            catalogName: table.catalogName,
            namespace: table.namespace,
            tableName: table.tableName,
            location: table.location,
            owner: options.pipeline.owner,
            pipelineId: run.pipelineId,
            classification: table.piiColumns?.length
              ? 'restricted'
              : 'internal',
            piiColumns: table.piiColumns,
            schema: table.schema,
            rowCount: table.rowCount,
            sizeBytes: table.sizeBytes,
            at: now,
          });
          tables.push({
            ...table,
            id,
            identifier:
              table.catalogName && table.namespace && table.tableName
                ? `${table.catalogName}.${table.namespace}.${table.tableName}`
                : undefined,
          });
        }
        await new DatabaseQualityStore(trx).add(
          result.quality.map(q => ({
            ...q,
            organizationId: org,
            runId: run.id,
            pipelineId: run.pipelineId,
            at: now,
          })),
        );
        const costsStore = new DatabaseCostsStore(trx);
        for (const record of costs) {
          await costsStore.add({ ...record, tableId: tables[0]?.id, at: now });
        }
      }
      if (status === 'succeeded') {
        await new DatabaseLineageStore(trx).replaceForPipeline(
          org,
          run.pipelineId,
          lineageEdges(run.pipelineId, spec, result?.columnLineage),
          now,
        );
      }
      return {
        run: moved,
        tables,
        ...(options.piiMasking && { piiMasking: options.piiMasking }),
      };
    });
  }
}

/** The lineage edges of a pipeline: its inputs (source and joins) and its output. */
export function lineageEdges(
  pipelineId: string,
  spec: PipelineSpec,
  columnLineage?: Record<string, string[]>,
): LineageEdge[] {
  const target = getTargetDataset(spec);
  return [
    ...getSourceDatasets(spec).map(dataset => ({
      pipelineId,
      direction: 'input' as const,
      datasetKind: dataset.kind,
      datasetRef: datasetRefString(dataset),
    })),
    {
      pipelineId,
      direction: 'output' as const,
      datasetKind: target.kind,
      datasetRef: datasetRefString(target),
      ...(columnLineage ? { columns: columnLineage } : {}),
    },
  ];
}
