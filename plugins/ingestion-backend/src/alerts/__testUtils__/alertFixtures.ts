import { mockServices } from '@backstage/backend-test-utils';
import type { Run } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { DatabaseLineageStore } from '../../database/LineageStore';
import { AlertLedger } from '../AlertLedger';
import { AlertsStore } from '../AlertsStore';
import { FreshnessChecker } from '../FreshnessChecker';
import { RunAlerter } from '../RunAlerter';

/** A notification as the mock service received it. */
export type Sent = {
  recipients: { type: 'entity'; entityRef: string[] };
  payload: {
    title: string;
    description?: string;
    link?: string;
    severity?: string;
    topic?: string;
    scope?: string;
  };
};

export const AT = new Date('2026-11-11T10:00:00Z');

/** Pipelines of a two-hop lineage: ingest → enrich → report, and one unrelated pipeline. */
export const PIPELINES = {
  ingest: {
    id: '00000000-0000-4000-8000-00000000000a',
    name: 'ingest',
    owner: 'group:default/finance-data',
  },
  enrich: {
    id: '00000000-0000-4000-8000-00000000000b',
    name: 'enrich',
    owner: 'group:default/finance-ml',
  },
  report: {
    id: '00000000-0000-4000-8000-00000000000c',
    name: 'report',
    owner: 'user:default/finance-analyst',
  },
  unrelated: {
    id: '00000000-0000-4000-8000-00000000000d',
    name: 'unrelated',
    owner: 'group:default/finance-ops',
  },
} as const;

type PipelineName = keyof typeof PIPELINES;

export async function insertPipeline(
  knex: Knex,
  name: PipelineName,
  extra: { schedule?: string; updatedAt?: Date } = {},
) {
  const pipeline = PIPELINES[name];
  await knex('pipelines').insert({
    id: pipeline.id,
    organization_id: 'finance',
    name: pipeline.name,
    owner: pipeline.owner,
    pipeline_type: 'batch',
    engine: 'local',
    current_version: 1,
    schedule: extra.schedule ?? null,
    created_by: pipeline.owner,
    updated_by: pipeline.owner,
    created_at: extra.updatedAt ?? AT,
    updated_at: extra.updatedAt ?? AT,
  });
}

/**
 * finance's lineage: ingest writes raw.tx, enrich reads it and writes curated.tx (a table owned
 * by the BI group), report reads curated.tx and writes mart.tx; unrelated reads something else.
 */
export async function seedLineage(knex: Knex) {
  for (const name of Object.keys(PIPELINES) as PipelineName[]) {
    await insertPipeline(knex, name);
  }
  const lineage = new DatabaseLineageStore(knex);
  const table = (name: string) => ({
    datasetKind: 'iceberg-table',
    datasetRef: `iceberg:finance_catalog.${name}`,
  });
  const edges: Record<PipelineName, Array<[string, 'input' | 'output']>> = {
    ingest: [['raw.tx', 'output']],
    enrich: [
      ['raw.tx', 'input'],
      ['curated.tx', 'output'],
    ],
    report: [
      ['curated.tx', 'input'],
      ['mart.tx', 'output'],
    ],
    unrelated: [
      ['other.src', 'input'],
      ['other.out', 'output'],
    ],
  };
  for (const [name, list] of Object.entries(edges)) {
    const pipelineId = PIPELINES[name as PipelineName].id;
    await lineage.replaceForPipeline(
      'finance',
      pipelineId,
      list.map(([ref, direction]) => ({
        ...table(ref),
        pipelineId,
        direction,
      })),
      AT,
    );
  }
  const tables: Array<[string, string, string]> = [
    ['curated', 'tx', 'group:default/finance-bi'],
    ['mart', 'tx', 'user:default/finance-analyst'],
    ['other', 'out', 'group:default/finance-ops'],
  ];
  for (const [namespace, name, owner] of tables) {
    await knex('data_tables').insert({
      id: randomUUID(),
      organization_id: 'finance',
      format: 'iceberg',
      catalog_name: 'finance_catalog',
      namespace,
      table_name: name,
      owner,
      created_at: AT,
      updated_at: AT,
    });
  }
}

let runCounter = 0;

/** Inserts a run of a pipeline and returns it as the API shows it. */
export async function insertRun(
  knex: Knex,
  name: PipelineName,
  status: Run['status'],
  finishedAt: Date = AT,
): Promise<Run> {
  runCounter += 1;
  const id = `00000000-0000-4000-9000-${String(runCounter).padStart(12, '0')}`;
  await knex('runs').insert({
    id,
    organization_id: 'finance',
    pipeline_id: PIPELINES[name].id,
    pipeline_version: 1,
    engine: 'local',
    status,
    trigger: 'manual',
    triggered_by: 'user:default/finance-engineer',
    queued_at: finishedAt,
    finished_at: finishedAt,
    idempotency_token: `token-${id}`,
  });
  return {
    id,
    organization: 'finance',
    pipelineId: PIPELINES[name].id,
    pipelineVersion: 1,
    engine: 'local',
    status,
    trigger: 'manual',
    triggeredBy: 'user:default/finance-engineer',
    queuedAt: finishedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    attempt: 1,
    errorMessage: status === 'failed' ? 'source unreachable' : undefined,
  };
}

export async function insertQuality(
  knex: Knex,
  run: Run,
  results: Array<{ severity: 'warn' | 'drop' | 'fail'; passed: boolean }>,
) {
  await knex('quality_results').insert(
    results.map((result, index) => ({
      organization_id: run.organization,
      run_id: run.id,
      pipeline_id: run.pipelineId,
      rule_index: index,
      rule_type: 'completeness',
      columns: JSON.stringify(['amount']),
      severity: result.severity,
      passed: result.passed,
      created_at: AT,
    })),
  );
}

/** One backend replica's alerting over a database: its own stores, a shared outbox. */
export function replica(
  knex: Knex,
  sent: Sent[],
  options: { now?: () => Date; graceMs?: number } = {},
) {
  const ledger = new AlertLedger(knex);
  const store = new AlertsStore(knex);
  const notifications = {
    send: async (notification: unknown) => void sent.push(notification as Sent),
  };
  const logger = mockServices.logger.mock();
  return {
    runs: new RunAlerter({
      ledger,
      store,
      notifications,
      logger,
      clock: options.now,
    }),
    freshness: new FreshnessChecker({
      ledger,
      store,
      organizations: () => [{ id: 'finance' }],
      notifications,
      logger,
      graceMs: options.graceMs ?? 30 * 60_000,
      clock: options.now,
    }),
  };
}
