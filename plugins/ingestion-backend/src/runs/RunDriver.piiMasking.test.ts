import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  generateWorkspaceArtifacts,
  type EngineRunContext,
  type EngineRunState,
  type IngestionEngine,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import type { AuditRecord } from '../audit';
import { DatabasePipelinesStore } from '../database/DatabasePipelinesStore';
import { DatabaseRunsStore } from '../database/DatabaseRunsStore';
import { DatabaseTablesStore } from '../database/TablesStore';
import { applyDatabaseMigrations } from '../database/migrations';
import type { OrganizationConfig } from '../organizations/organizationConfig';
import { testOrganizationConfig } from '../__testUtils__/organizationConfig';
import { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { auditPiiMasking } from '../pii/auditPiiMasking';
import { TableStateStore } from '../pii/TableStateStore';
import { RunDriver } from './RunDriver';
import type { FinishedRun } from './RunResultRecorder';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const org = (
  id: string,
  environment: OrganizationConfig['environment'],
): OrganizationConfig =>
  testOrganizationConfig(id, {
    environment,
    storage: 's3://bucket/prefix',
    // Catalog names are per workspace: staging names one as prod does in its own.
    ...(id === 'staging' && { icebergCatalogs: ['prod_catalog'] }),
  });

const SPEC = (catalog: string) => ({
  version: 1,
  pipeline_type: 'batch',
  source: { type: 'file', path: 'raw/customers/*.csv', format: 'csv' },
  transformations: [{ type: 'mask', columns: ['phone'], method: 'redact' }],
  target: {
    type: 'iceberg',
    catalog,
    schema: 'crm',
    table: 'customers',
  },
  data_quality: [],
});

/** An engine that records what it was given and stays running until told. */
class CapturingEngine implements IngestionEngine {
  readonly id = 'databricks';
  submitted: EngineRunContext[] = [];
  state: EngineRunState = { state: 'running' };
  async submit(context: EngineRunContext) {
    this.submitted.push(context);
    return { engineRunId: context.run.id };
  }
  async poll() {
    return this.state;
  }
  async cancel() {}
}

describe.each(databases.eachSupportedId())(
  'PII masking by the run driver on %s',
  databaseId => {
    let knex: Knex;
    let engine: CapturingEngine;
    let finished: FinishedRun[];
    let audited: AuditRecord[];
    let driver: RunDriver;
    const now = new Date('2026-03-01T12:00:00Z');

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await applyDatabaseMigrations(knex);
      engine = new CapturingEngine();
      finished = [];
      audited = [];
      driver = new RunDriver({
        knex,
        directory: new OrganizationDirectory([
          org('staging', 'staging'),
          org('prod', 'production'),
        ]),
        engines: new Map([[engine.id, engine]]),
        resolveConnection: async () => ({ type: 'file', settings: {} }),
        logger: mockServices.logger.mock(),
        pricing: { dbu: 0.55, storageGbMonth: 0.023, currency: 'USD' },
        clock: () => now,
      });
      driver.onRunFinished(event => {
        finished.push(event);
      });
      driver.onRunFinished(
        auditPiiMasking({
          record: async record => {
            audited.push(record);
          },
        }),
      );
    });

    afterEach(async () => {
      await knex.destroy();
    });

    async function queue(organizationId: string, pipelineId: string) {
      const runId = randomUUID();
      await new DatabaseRunsStore(knex).create({
        id: runId,
        organizationId,
        pipelineId,
        pipelineVersion: 1,
        engine: 'databricks',
        trigger: 'manual',
        triggeredBy: 'user:default/test',
        idempotencyToken: runId.replace(/-/g, ''),
        at: now,
      });
      return runId;
    }

    /** The notebook the Databricks engine would submit for a context. */
    const notebookOf = (context: EngineRunContext) =>
      generateWorkspaceArtifacts({
        spec: context.spec,
        organization: context.organization,
        pipeline: context.pipeline,
      }).notebook.content;

    /** A pipeline whose target table is already tagged: `email`, `phone` by a run, `ssn` by a scan. */
    async function pipelineWithTaggedTable(organizationId: string) {
      const catalog = `${organizationId}_catalog`;
      const pipeline = await new DatabasePipelinesStore(knex).create({
        id: randomUUID(),
        organizationId,
        name: 'customers',
        owner: 'group:default/crm',
        pipelineType: 'batch',
        engine: 'databricks',
        spec: SPEC(catalog),
        specHash: randomUUID(),
        createdBy: 'user:default/test',
        at: now,
      });
      const tableId = await new DatabaseTablesStore(knex).upsert({
        id: randomUUID(),
        organizationId,
        format: 'iceberg',
        catalogName: catalog,
        namespace: 'crm',
        tableName: 'customers',
        location: 's3://bucket/prefix/crm/customers',
        owner: 'group:default/crm',
        pipelineId: pipeline.id,
        classification: 'restricted',
        // phone is tagged too, but the spec masks it itself (redact): not masked twice.
        piiColumns: ['email', 'phone'],
        at: now,
      });
      await new TableStateStore(knex).upsert(
        { organizationId, tableId, piiFindings: { ssn: ['ssn'] } },
        now,
      );
      const runId = await queue(organizationId, pipeline.id);
      return { pipelineId: pipeline.id, runId, catalog };
    }

    const events = async (organizationId: string, runId: string) =>
      (
        await knex('run_events')
          .where({ organization_id: organizationId, run_id: runId })
          .select('message')
      ).map(e => e.message as string);

    it('outside production, masks the known PII columns in the spec every engine runs, and what a staged review finds', async () => {
      const { runId, catalog } = await pipelineWithTaggedTable('staging');
      await driver.tick();
      const [context] = engine.submitted;
      expect(context.spec.transformations).toEqual([
        { type: 'mask', columns: ['phone'], method: 'redact' },
        { type: 'mask', columns: ['email', 'ssn'], method: 'hash' },
      ]);

      // The Databricks notebook of that spec hashes both columns before the write.
      const notebook = notebookOf(context);
      for (const column of ['email', 'ssn']) {
        expect(notebook).toContain(
          `df = df.withColumn("${column}", F.sha2(F.col("${column}").cast("string"), 256))`,
        );
      }
      expect(notebook.indexOf('F.sha2(F.col("ssn")')).toBeLessThan(
        notebook.indexOf('writeTo(TARGET_TABLE)'),
      );

      // An engine that stages its output asks before committing: a card column nobody tagged yet.
      const review = await context.reviewStagedOutput!({
        email: [
          '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
        ],
        card: ['4111 1111 1111 1111', '5555 5555 5555 4444'],
        order_number: ['1000000000000009', '1000000000000017'],
      });
      expect(review).toEqual({
        piiColumns: ['card'],
        transforms: [{ type: 'mask', columns: ['card'], method: 'hash' }],
      });

      engine.state = {
        state: 'succeeded',
        result: {
          rowsRead: 2,
          rowsWritten: 2,
          bytesWritten: 10,
          dbus: 0,
          quality: [],
          tables: [
            {
              format: 'iceberg',
              catalogName: catalog,
              namespace: 'crm',
              tableName: 'customers',
              location: 's3://bucket/prefix/crm/customers',
              piiColumns: review.piiColumns,
            },
          ],
        },
      };
      await driver.tick();

      const masked = [
        { column: 'email', types: ['email'], source: 'table' },
        { column: 'ssn', types: ['ssn'], source: 'table' },
        { column: 'card', types: ['credit_card'], source: 'staged' },
      ];
      expect(finished).toHaveLength(1);
      expect(finished[0].piiMasking).toEqual({
        environment: 'staging',
        columns: masked,
      });
      // Masked values no longer look like PII: the table keeps its tags from the masking.
      expect(finished[0].tables[0].piiColumns?.sort()).toEqual([
        'card',
        'email',
        'ssn',
      ]);
      const table = await knex('data_tables')
        .where({ organization_id: 'staging', table_name: 'customers' })
        .first('pii_columns', 'classification');
      expect(JSON.parse(table.pii_columns).sort()).toEqual([
        'card',
        'email',
        'ssn',
      ]);
      const row = await knex('runs').where({ id: runId }).first('summary');
      expect(JSON.parse(row.summary).piiMasking.columns).toEqual(masked);
      const log = await events('staging', runId);
      expect(log).toContainEqual(
        expect.stringMatching(
          /Masked PII columns with hash because the organization's environment is staging.*email \(email, tagged on the target table\), ssn \(ssn, tagged on the target table\)/,
        ),
      );
      expect(log).toContainEqual(
        expect.stringContaining(
          "card (credit_card, found in this run's staged rows)",
        ),
      );
      expect(audited).toEqual([
        expect.objectContaining({
          organizationId: 'staging',
          action: 'run.mask-pii',
          targetType: 'run',
          targetId: runId,
          outcome: 'success',
          meta: expect.objectContaining({
            environment: 'staging',
            columns: masked,
          }),
        }),
      ]);
    });

    it('in production, runs the spec as written and only tags what a staged review finds', async () => {
      await pipelineWithTaggedTable('prod');
      await driver.tick();
      const [context] = engine.submitted;
      expect(context.spec.transformations).toEqual([
        { type: 'mask', columns: ['phone'], method: 'redact' },
      ]);
      const notebook = notebookOf(context);
      expect(notebook).not.toContain('F.sha2');
      await expect(
        context.reviewStagedOutput!({ card: ['4111 1111 1111 1111'] }),
      ).resolves.toEqual({ piiColumns: ['card'], transforms: [] });

      engine.state = {
        state: 'succeeded',
        result: {
          rowsRead: 1,
          rowsWritten: 1,
          bytesWritten: 10,
          dbus: 0,
          quality: [],
          tables: [{ format: 'iceberg', piiColumns: ['card'] }],
        },
      };
      await driver.tick();
      expect(finished[0].piiMasking).toBeUndefined();
      expect(audited).toEqual([]);
    });

    it('never takes another organization’s tags for its own table', async () => {
      // Same catalog, namespace and table name in another organization, tagged there.
      await pipelineWithTaggedTable('prod');
      const pipeline = await new DatabasePipelinesStore(knex).create({
        id: randomUUID(),
        organizationId: 'staging',
        name: 'customers',
        owner: 'group:default/crm',
        pipelineType: 'batch',
        engine: 'databricks',
        spec: SPEC('prod_catalog'),
        specHash: randomUUID(),
        createdBy: 'user:default/test',
        at: now,
      });
      const runId = await queue('staging', pipeline.id);
      await driver.tick();
      const staging = engine.submitted.find(c => c.run.id === runId)!;
      expect(staging.spec.transformations).toEqual([
        { type: 'mask', columns: ['phone'], method: 'redact' },
      ]);
    });
  },
);
