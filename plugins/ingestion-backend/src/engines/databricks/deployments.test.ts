import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { DatabasePipelinesStore } from '../../database/DatabasePipelinesStore';
import { applyDatabaseMigrations } from '../../database/migrations';
import { batchSpec } from '../../__testUtils__/specs';
import { startDatabricksBilling } from './billing';
import { pipelineDeployments } from './deployments';
import { financeOrganization } from './__testUtils__/engineContext';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'pipelineDeployments on %s',
  databaseId => {
    let knex: Knex;
    let store: DatabasePipelinesStore;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await applyDatabaseMigrations(knex);
      store = new DatabasePipelinesStore(knex);
      for (const org of ['finance', 'retail']) {
        await store.create({
          id: `pl-${org}`,
          organizationId: org,
          name: 'daily',
          owner: `group:default/${org}`,
          pipelineType: 'batch',
          engine: 'databricks',
          spec: batchSpec() as any,
          specHash: org,
          createdBy: 'user:default/test',
          at: new Date('2026-11-24T10:00:00Z'),
        });
      }
    });

    afterEach(async () => {
      await knex.destroy();
    });

    it('reads the job a pipeline was deployed as, in the run’s organization only', async () => {
      const deployments = pipelineDeployments(store);
      await expect(
        deployments.deployedJob('finance', 'pl-finance'),
      ).resolves.toBeUndefined();
      await store.recordDeployment('finance', 'pl-finance', {
        databricksJobId: '501',
        deployedVersion: 1,
        at: new Date(),
        verifiedAt: new Date(),
      });
      await expect(
        deployments.deployedJob('finance', 'pl-finance'),
      ).resolves.toEqual({ jobId: 501, version: 1, verified: true });
      // Another organization cannot reach it, not even by naming the pipeline.
      await expect(
        deployments.deployedJob('retail', 'pl-finance'),
      ).resolves.toBeUndefined();
      await expect(
        deployments.deployedJob('retail', 'pl-retail'),
      ).resolves.toBeUndefined();
    });

    it('reads deployments recorded before verification as unverified, and marks them verified once', async () => {
      const deployments = pipelineDeployments(store);
      await store.recordDeployment('finance', 'pl-finance', {
        databricksJobId: '501',
        deployedVersion: 1,
        at: new Date(),
        verifiedAt: new Date(),
      });
      // What the migration leaves for a deployment recorded before it.
      await knex('pipelines')
        .where({ id: 'pl-finance' })
        .update({ databricks_job_verified_at: null });
      await expect(
        deployments.deployedJob('finance', 'pl-finance'),
      ).resolves.toEqual({ jobId: 501, version: 1, verified: false });
      // Marking names the job: another organization's pipeline, or another job id, is not marked.
      await deployments.markVerified('retail', 'pl-finance', 501);
      await deployments.markVerified('finance', 'pl-finance', 502);
      await expect(
        deployments.deployedJob('finance', 'pl-finance'),
      ).resolves.toMatchObject({ verified: false });
      await deployments.markVerified('finance', 'pl-finance', 501);
      await expect(
        deployments.deployedJob('finance', 'pl-finance'),
      ).resolves.toEqual({ jobId: 501, version: 1, verified: true });
    });

    it('ignores a recorded job id that is not a Databricks job id', async () => {
      await store.recordDeployment('finance', 'pl-finance', {
        databricksJobId: 'not-a-number',
        deployedVersion: 1,
        at: new Date(),
        verifiedAt: new Date(),
      });
      await expect(
        pipelineDeployments(store).deployedJob('finance', 'pl-finance'),
      ).resolves.toBeUndefined();
    });
  },
);

describe('startDatabricksBilling', () => {
  const host = 'http://127.0.0.1:9';

  it('schedules nothing when no organization has a billing warehouse', async () => {
    const scheduler = mockServices.scheduler.mock();
    await expect(
      startDatabricksBilling({
        config: mockServices.rootConfig(),
        logger: mockServices.logger.mock(),
        knex: {} as Knex,
        scheduler,
        organizations: [financeOrganization({ host }), financeOrganization()],
        source: { billedDbus: async () => undefined },
      }),
    ).resolves.toBeUndefined();
    expect(scheduler.scheduleTask).not.toHaveBeenCalled();
  });

  it('schedules the reconciliation at the configured frequency', async () => {
    const scheduler = mockServices.scheduler.mock();
    const reconciler = await startDatabricksBilling({
      config: mockServices.rootConfig({
        data: { ingestion: { databricksBilling: { frequencyMinutes: 15 } } },
      }),
      logger: mockServices.logger.mock(),
      knex: {} as Knex,
      scheduler,
      organizations: [
        financeOrganization({ host, billingWarehouseId: 'wh-1' }),
      ],
      source: { billedDbus: async () => undefined },
    });
    expect(reconciler).toBeDefined();
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'ingestion-databricks-billing',
        frequency: { minutes: 15 },
      }),
    );
  });
});
