import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { validatePipelineSpec } from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  DatabricksTestServer,
  deployJob,
  hashPipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { DatabasePipelinesStore } from '../../database/DatabasePipelinesStore';
import { applyDatabaseMigrations } from '../../database/migrations';
import type { OrganizationConfig } from '../../organizations/organizationConfig';
import { testOrganizationConfig } from '../../__testUtils__/organizationConfig';
import { PiiMasking } from '../../pii/PiiMasking';
import { engineOrganization } from '../../runs/RunDriver';
import { DatabricksEngine } from './DatabricksEngine';
import { DatabricksDeploymentSync } from './deploymentSync';

/**
 * Deployed jobs' notebooks follow the PII masks tagged after their deployment: re-imported into the
 * organization's own workspace, once, for the version the job runs.
 */

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const TOKEN = 'dapi00112233445566778899aabbccddeeff';
const SPEC = {
  pipeline_type: 'batch',
  schedule: { cron: '0 * * * *', timezone: 'UTC' },
  source: { type: 'postgres', connection: 'crm-db', table: 'customers' },
  transformations: [{ type: 'filter', condition: 'active = true' }],
  target: {
    type: 'iceberg',
    catalog: 'crm_catalog',
    schema: 'raw',
    table: 'customers',
  },
};
const VALID_SPEC = (() => {
  const result = validatePipelineSpec(SPEC);
  if (!result.valid) throw new Error(JSON.stringify(result.problems));
  return result.spec;
})();

function organization(
  id: string,
  host: string,
  environment: OrganizationConfig['environment'],
): OrganizationConfig {
  return testOrganizationConfig(id, {
    environment,
    databricks: { host, token: TOKEN, notificationEmails: [] },
    // The CRM tables the test pipelines write live in a catalog of the organization's own.
    icebergCatalogs: ['crm_catalog'],
  });
}

describe.each(databases.eachSupportedId())(
  'Databricks deployment sync on %s',
  databaseId => {
    let knex: Knex;
    let workspaceA: DatabricksTestServer;
    let workspaceB: DatabricksTestServer;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await applyDatabaseMigrations(knex);
      workspaceA = await DatabricksTestServer.start({ token: TOKEN });
      workspaceB = await DatabricksTestServer.start({ token: TOKEN });
    });

    afterEach(async () => {
      await workspaceA.stop();
      await workspaceB.stop();
      await knex.destroy();
    });

    it('re-imports the notebook of a job whose masks changed, in its own workspace, once', async () => {
      const finance = organization('finance', workspaceA.url, 'development');
      const retail = organization('retail', workspaceB.url, 'staging');
      const healthcare = organization(
        'healthcare',
        workspaceA.url,
        'production',
      );
      const organizations = [finance, retail, healthcare].map(
        engineOrganization,
      );
      const store = new DatabasePipelinesStore(knex);
      const engine = new DatabricksEngine({
        logger: mockServices.logger.mock(),
        // One attempt per request: a failed import shows as a failed pass.
        client: { sleep: async () => {}, retry: { maxAttempts: 1 } },
      });
      const sync = new DatabricksDeploymentSync({
        knex,
        logger: mockServices.logger.mock(),
        organizations: () => organizations,
        masking: new PiiMasking(knex),
        notebooks: engine,
      });
      const at = new Date('2026-11-26T00:00:00Z');

      /** Creates and deploys a pipeline as the deploy action does; returns its notebook path. */
      const deployed = async (org: OrganizationConfig) => {
        const pipeline = await store.create({
          id: `pl-${org.id}`,
          organizationId: org.id,
          name: `customers-${org.id}`,
          owner: `group:default/${org.id}`,
          pipelineType: 'batch',
          schedule: SPEC.schedule,
          engine: 'databricks',
          spec: SPEC,
          specHash: hashPipelineSpec(VALID_SPEC),
          createdBy: 'user:default/test',
          at,
        });
        const job = await deployJob(
          engineOrganization(org),
          {
            id: pipeline.id,
            name: pipeline.name,
            owner: pipeline.owner,
            version: 1,
          },
          VALID_SPEC,
        );
        await store.recordDeployment(org.id, pipeline.id, {
          databricksJobId: String(job.jobId),
          deployedVersion: 1,
          at,
          specHash: hashPipelineSpec(VALID_SPEC),
          verifiedAt: at,
        });
        return job.notebookPath;
      };
      /** A run or scan tagged the pipeline's table with a PII column. */
      const tagPii = async (org: OrganizationConfig, column: string) => {
        await knex('data_tables').insert({
          id: randomUUID(),
          organization_id: org.id,
          format: 'iceberg',
          catalog_name: 'crm_catalog',
          namespace: 'raw',
          table_name: 'customers',
          location: `s3://${org.id}-lake/raw/customers`,
          owner: `group:default/${org.id}`,
          pipeline_id: `pl-${org.id}`,
          pii_columns: JSON.stringify([column]),
          created_at: at,
          updated_at: at,
        });
      };
      const deployedHash = async (org: OrganizationConfig) =>
        (
          await knex('pipelines')
            .where({ organization_id: org.id, id: `pl-${org.id}` })
            .first('deployed_spec_hash')
        ).deployed_spec_hash;
      const masks = (server: DatabricksTestServer, path: string) =>
        server.notebook(path)?.content.includes('F.sha2(') ?? false;

      const financePath = await deployed(finance);
      const retailPath = await deployed(retail);
      const healthcarePath = await deployed(healthcare);
      const jobsBefore = [...workspaceA.jobs(), ...workspaceB.jobs()];
      workspaceA.requests.length = 0;
      workspaceB.requests.length = 0;

      // Nothing tagged yet: every job runs its effective spec already.
      expect(await sync.sync()).toEqual({ updated: 0, errors: 0 });
      expect([...workspaceA.requests, ...workspaceB.requests]).toEqual([]);

      await tagPii(finance, 'email');
      await tagPii(retail, 'phone');
      await tagPii(healthcare, 'email');
      // The finance workspace fails the import once: nothing is recorded, the next pass retries.
      workspaceA.injectFault({
        path: '/api/2.0/workspace/import',
        respond: { status: 503 },
      });
      expect(await sync.sync()).toEqual({ updated: 1, errors: 1 });
      expect(masks(workspaceA, financePath)).toBe(false);
      expect(await deployedHash(finance)).toBe(hashPipelineSpec(VALID_SPEC));
      expect(await sync.sync()).toEqual({ updated: 1, errors: 0 });

      // Each masked notebook went to its organization's workspace, at the job's path.
      expect(workspaceA.notebook(financePath)?.content).toContain(
        'F.sha2(F.col("email").cast("string"), 256)',
      );
      expect(workspaceB.notebook(retailPath)?.content).toContain(
        'F.sha2(F.col("phone").cast("string"), 256)',
      );
      expect(workspaceA.notebook(retailPath)).toBeUndefined();
      expect(workspaceB.notebook(financePath)).toBeUndefined();
      // Production is not masked.
      expect(masks(workspaceA, healthcarePath)).toBe(false);
      // The jobs themselves (schedule, cluster) stay as deployed.
      expect([...workspaceA.jobs(), ...workspaceB.jobs()]).toEqual(jobsBefore);
      expect(
        [...workspaceA.requests, ...workspaceB.requests].map(r => r.path),
      ).not.toContain('/api/2.2/jobs/reset');

      const { spec: financeEffective } = await new PiiMasking(
        knex,
      ).effectiveSpec({
        organizationId: 'finance',
        environment: 'development',
        pipelineId: 'pl-finance',
        spec: VALID_SPEC,
      });
      expect(await deployedHash(finance)).toBe(
        hashPipelineSpec(financeEffective),
      );

      // Once in line, a pass changes nothing.
      workspaceA.requests.length = 0;
      workspaceB.requests.length = 0;
      expect(await sync.sync()).toEqual({ updated: 0, errors: 0 });
      expect([...workspaceA.requests, ...workspaceB.requests]).toEqual([]);
    });

    it('leaves recorded jobs that were never verified as the pipeline’s alone', async () => {
      const finance = organization('finance', workspaceA.url, 'development');
      const store = new DatabasePipelinesStore(knex);
      const at = new Date('2026-11-26T00:00:00Z');
      await store.create({
        id: 'pl-finance',
        organizationId: 'finance',
        name: 'customers',
        owner: 'group:default/finance',
        pipelineType: 'batch',
        engine: 'databricks',
        spec: SPEC,
        specHash: hashPipelineSpec(VALID_SPEC),
        createdBy: 'user:default/test',
        at,
      });
      await store.recordDeployment('finance', 'pl-finance', {
        databricksJobId: '42',
        deployedVersion: 1,
        at,
        verifiedAt: at,
      });
      // As recorded before verification existed (the migration leaves such rows unverified).
      await knex('pipelines')
        .where({ id: 'pl-finance' })
        .update({ databricks_job_verified_at: null });
      await knex('data_tables').insert({
        id: randomUUID(),
        organization_id: 'finance',
        format: 'iceberg',
        catalog_name: 'crm_catalog',
        namespace: 'raw',
        table_name: 'customers',
        owner: 'group:default/finance',
        pipeline_id: 'pl-finance',
        pii_columns: JSON.stringify(['email']),
        created_at: at,
        updated_at: at,
      });
      const sync = new DatabricksDeploymentSync({
        knex,
        logger: mockServices.logger.mock(),
        organizations: () => [engineOrganization(finance)],
        masking: new PiiMasking(knex),
        notebooks: new DatabricksEngine({ logger: mockServices.logger.mock() }),
      });
      expect(await sync.sync()).toEqual({ updated: 0, errors: 0 });
      expect(workspaceA.requests).toEqual([]);
    });

    it('leaves jobs deployed at an older version to the deploy step', async () => {
      const finance = organization('finance', workspaceA.url, 'development');
      const store = new DatabasePipelinesStore(knex);
      const at = new Date('2026-11-26T00:00:00Z');
      const pipeline = await store.create({
        id: 'pl-finance',
        organizationId: 'finance',
        name: 'customers',
        owner: 'group:default/finance',
        pipelineType: 'batch',
        engine: 'databricks',
        spec: SPEC,
        specHash: 'v1',
        createdBy: 'user:default/test',
        at,
      });
      await store.recordDeployment('finance', pipeline.id, {
        databricksJobId: '42',
        deployedVersion: 1,
        at,
        verifiedAt: at,
      });
      await store.addVersion('finance', pipeline.id, {
        expectedVersion: 1,
        spec: { ...SPEC, transformations: [] },
        specHash: 'v2',
        pipelineType: 'batch',
        createdBy: 'user:default/test',
        at,
      });
      const sync = new DatabricksDeploymentSync({
        knex,
        logger: mockServices.logger.mock(),
        organizations: () => [engineOrganization(finance)],
        masking: new PiiMasking(knex),
        notebooks: new DatabricksEngine({ logger: mockServices.logger.mock() }),
      });
      expect(await sync.sync()).toEqual({ updated: 0, errors: 0 });
      expect(workspaceA.requests).toEqual([]);
    });
  },
);
