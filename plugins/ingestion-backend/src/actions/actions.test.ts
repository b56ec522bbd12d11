import { actionsRegistryServiceFactory } from '@backstage/backend-defaults/alpha';
import { TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import { DatabaseCostsStore } from '../database/CostsStore';
import { DatabaseLineageStore } from '../database/LineageStore';
import { DatabaseTablesStore } from '../database/TablesStore';
import { batchSpec } from '../__testUtils__/specs';
import {
  as,
  startIngestionTestBackend,
} from '../__testUtils__/startIngestionTestBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/**
 * The actions through Backstage's real actions registry and its HTTP routes (what
 * `backstage-cli actions` and the MCP actions backend call), with the ingestion policy.
 */
describe('ingestion actions', () => {
  let server: Awaited<ReturnType<typeof startIngestionTestBackend>>['server'];
  let pipelineId: string;
  let knex: Awaited<ReturnType<typeof databases.init>>;
  const month = new Date().toISOString().slice(0, 7);

  const invoke = (user: string, name: string, input: object) =>
    request(server)
      .post(
        `/api/ingestion/.backstage/actions/v1/actions/ingestion:${name}/invoke`,
      )
      .set('Authorization', as(user))
      .send(input);

  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
    ({ server } = await startIngestionTestBackend({
      knex,
      features: [actionsRegistryServiceFactory],
    }));
    const created = await request(server)
      .post('/api/ingestion/v1/pipelines')
      .set('Authorization', as('finance-engineer'))
      .send({
        organization: 'finance',
        name: 'actions-daily',
        spec: batchSpec('actions_daily'),
      });
    if (created.status !== 201) {
      throw new Error(`pipeline not created: ${JSON.stringify(created.body)}`);
    }
    pipelineId = created.body.id;
  });

  it('lists every ingestion action with its schemas', async () => {
    const res = await request(server)
      .get('/api/ingestion/.backstage/actions/v1/actions')
      .set('Authorization', as('finance-viewer'));
    expect(res.status).toBe(200);
    expect(res.body.actions.map((a: { id: string }) => a.id).sort()).toEqual(
      [
        'get-lineage',
        'get-month-to-date-cost',
        'get-pipeline',
        'get-run',
        'get-table',
        'list-pipelines',
        'trigger-run',
        'validate-pipeline-spec',
      ].map(name => `ingestion:${name}`),
    );
    const trigger = res.body.actions.find(
      (a: { id: string }) => a.id === 'ingestion:trigger-run',
    );
    expect(trigger.attributes).toMatchObject({ readOnly: false });
    expect(trigger.schema.input.required).toEqual(['pipelineId']);
  });

  it("lists a member's pipelines and nothing of another organization", async () => {
    const mine = await invoke('finance-viewer', 'list-pipelines', {
      organization: 'finance',
    });
    expect(mine.status).toBe(200);
    expect(mine.body.output.items).toEqual([
      expect.objectContaining({ id: pipelineId, name: 'actions-daily' }),
    ]);
    const outsider = await invoke('retail-admin', 'list-pipelines', {
      organization: 'finance',
    });
    expect(outsider.status).toBe(200);
    expect(outsider.body.output.items).toEqual([]);
    const all = await invoke('retail-admin', 'list-pipelines', {});
    expect(all.body.output.items).toEqual([]);
  });

  it('gets a pipeline with its latest runs; another organization gets not found', async () => {
    const res = await invoke('finance-viewer', 'get-pipeline', { pipelineId });
    expect(res.status).toBe(200);
    expect(res.body.output.pipeline).toMatchObject({
      id: pipelineId,
      organization: 'finance',
      currentVersion: 1,
    });
    expect(res.body.output.pipeline.spec.target.table).toBe('actions_daily');
    expect(Array.isArray(res.body.output.latestRuns)).toBe(true);
    const outsider = await invoke('retail-admin', 'get-pipeline', {
      pipelineId,
    });
    expect(outsider.status).toBe(404);
  });

  it('validates a spec and returns each problem with its path', async () => {
    const valid = await invoke('finance-engineer', 'validate-pipeline-spec', {
      spec: batchSpec(),
      organization: 'finance',
    });
    expect(valid.body.output).toEqual({ valid: true, problems: [] });
    const spec = batchSpec() as Record<string, any>;
    delete spec.target.table;
    const invalid = await invoke('finance-engineer', 'validate-pipeline-spec', {
      spec,
    });
    expect(invalid.status).toBe(200);
    expect(invalid.body.output.valid).toBe(false);
    expect(invalid.body.output.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'target.table' }),
      ]),
    );
    const outsider = await invoke('retail-admin', 'validate-pipeline-spec', {
      spec: batchSpec(),
      organization: 'finance',
    });
    expect(outsider.status).toBe(404);
  });

  it('triggers a run for who may execute, denies a viewer, hides it from other organizations', async () => {
    const denied = await invoke('finance-viewer', 'trigger-run', {
      pipelineId,
    });
    expect(denied.status).toBe(403);
    const foreign = await invoke('retail-admin', 'trigger-run', {
      pipelineId,
    });
    expect(foreign.status).toBe(404);

    const triggered = await invoke('finance-analyst', 'trigger-run', {
      pipelineId,
    });
    expect(triggered.status).toBe(200);
    const run = triggered.body.output.run;
    expect(run).toMatchObject({ pipelineId, organization: 'finance' });

    const status = await invoke('finance-viewer', 'get-run', { runId: run.id });
    expect(status.status).toBe(200);
    expect(status.body.output.run.id).toBe(run.id);
    expect(typeof status.body.output.final).toBe('boolean');
    const foreignStatus = await invoke('retail-admin', 'get-run', {
      runId: run.id,
    });
    expect(foreignStatus.status).toBe(404);

    const withRuns = await invoke('finance-viewer', 'get-pipeline', {
      pipelineId,
    });
    expect(withRuns.body.output.latestRuns).toEqual([
      expect.objectContaining({ id: run.id }),
    ]);
  });

  it("returns a table's schema and lineage to members only", async () => {
    const at = new Date();
    const tableId = await new DatabaseTablesStore(knex).upsert({
      id: '00000000-0000-4000-8000-0000000000a1',
      organizationId: 'finance',
      format: 'iceberg',
      catalogName: 'finance_catalog',
      namespace: 'analytics',
      tableName: 'actions_daily',
      owner: 'group:default/finance',
      pipelineId,
      rowCount: 10,
      sizeBytes: 2048,
      at,
    });
    await new DatabaseLineageStore(knex).replaceForPipeline(
      'finance',
      pipelineId,
      [
        {
          pipelineId,
          direction: 'input',
          datasetKind: 'mysql-table',
          datasetRef: 'mysql:finance-db/transactions',
        },
        {
          pipelineId,
          direction: 'output',
          datasetKind: 'iceberg-table',
          datasetRef: 'iceberg:finance_catalog.analytics.actions_daily',
        },
      ],
      at,
    );

    const table = await invoke('finance-viewer', 'get-table', { tableId });
    expect(table.status).toBe(200);
    expect(table.body.output.table).toMatchObject({
      id: tableId,
      identifier: 'finance_catalog.analytics.actions_daily',
      rowCount: 10,
    });
    const foreignTable = await invoke('retail-admin', 'get-table', { tableId });
    expect(foreignTable.status).toBe(404);

    const lineage = await invoke('finance-viewer', 'get-lineage', {
      organization: 'finance',
      dataset: 'iceberg:finance_catalog.analytics.actions_daily',
      direction: 'upstream',
    });
    expect(lineage.status).toBe(200);
    expect(lineage.body.output.edges).toEqual(
      expect.arrayContaining([
        {
          from: `pipeline:${pipelineId}`,
          to: 'dataset:iceberg:finance_catalog.analytics.actions_daily',
        },
      ]),
    );
    const foreignLineage = await invoke('retail-admin', 'get-lineage', {
      organization: 'finance',
      pipelineId,
    });
    expect(foreignLineage.status).toBe(404);
  });

  it("returns the month's cost so far to members only", async () => {
    const costs = new DatabaseCostsStore(knex);
    const record = {
      organizationId: 'finance',
      costCenter: 'FIN-001',
      environment: 'development',
      serviceType: 'compute' as const,
      pipelineId,
      quantity: 2,
      unit: 'DBU' as const,
      amount: 1.1,
      currency: 'USD',
      at: new Date(),
    };
    await costs.add({ ...record, period: month });
    // Last year's record is not this month's.
    await costs.add({
      ...record,
      amount: 50,
      period: `${Number(month.slice(0, 4)) - 1}${month.slice(4)}`,
    });
    const res = await invoke('finance-admin', 'get-month-to-date-cost', {
      organization: 'finance',
    });
    expect(res.status).toBe(200);
    expect(res.body.output).toMatchObject({
      organization: 'finance',
      month,
      currency: 'USD',
      total: 1.1,
      groups: [{ key: pipelineId, amount: 1.1, quantity: 2 }],
    });
    const foreign = await invoke('retail-admin', 'get-month-to-date-cost', {
      organization: 'finance',
    });
    expect(foreign.status).toBe(404);
  });

  it('rejects input that does not match the schema', async () => {
    const res = await invoke('finance-viewer', 'get-run', {});
    expect(res.status).toBe(400);
  });
});
