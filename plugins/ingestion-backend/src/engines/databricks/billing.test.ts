import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  DatabricksTestServer,
  deriveIdempotencyToken,
  type EngineOrganization,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { Knex } from 'knex';
import { DatabaseCostsStore } from '../../database/CostsStore';
import { DatabasePipelinesStore } from '../../database/DatabasePipelinesStore';
import { DatabaseRunsStore } from '../../database/DatabaseRunsStore';
import { applyDatabaseMigrations } from '../../database/migrations';
import { DatabricksBillingReconciler } from './billing';
import { DatabricksEngine } from './DatabricksEngine';
import { financeOrganization, TOKEN } from './__testUtils__/engineContext';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const FINISHED = new Date('2026-11-24T10:00:00Z');
const HOUR = 3600_000;

describe.each(databases.eachSupportedId())(
  'DatabricksBillingReconciler on %s',
  databaseId => {
    let knex: Knex;
    let finance: DatabricksTestServer;
    let retail: DatabricksTestServer;
    let now: Date;
    let organizations: EngineOrganization[];
    let reconciler: DatabricksBillingReconciler;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await applyDatabaseMigrations(knex);
      finance = await DatabricksTestServer.start({
        token: TOKEN,
        warehouses: ['wh-finance'],
      });
      retail = await DatabricksTestServer.start({ token: TOKEN });
      now = new Date(FINISHED.getTime() + 2 * HOUR);
      organizations = [
        financeOrganization({
          host: finance.url,
          billingWarehouseId: 'wh-finance',
          workspaceId: 'ws-finance',
        }),
        {
          ...financeOrganization({ host: retail.url }),
          id: 'retail',
          name: 'Retail',
          costCenter: 'RET-001',
        },
      ];
      const engine = new DatabricksEngine({
        logger: mockServices.logger.mock(),
        client: { sleep: async () => {}, random: () => 0 },
      });
      reconciler = new DatabricksBillingReconciler({
        knex,
        logger: mockServices.logger.mock(),
        organizations: () => organizations,
        source: engine,
        pricing: { dbu: 0.55, currency: 'USD' },
        lookbackDays: 3,
        firstCheckAfterMinutes: 60,
        now: () => now,
      });
      for (const org of ['finance', 'retail']) {
        await new DatabasePipelinesStore(knex).create({
          id: `pl-${org}`,
          organizationId: org,
          name: `${org}-daily`,
          owner: `group:default/${org}`,
          pipelineType: 'batch',
          engine: 'databricks',
          spec: {},
          specHash: org,
          createdBy: 'user:default/test',
          at: FINISHED,
        } as any);
      }
    });

    afterEach(async () => {
      await finance.stop();
      await retail.stop();
      await knex.destroy();
    });

    /** A finished Databricks run with its estimate recorded as the run driver records it. */
    async function finishedRun(options: {
      id: string;
      organizationId?: string;
      engineRunId: string;
      dbus: number;
      storageCost?: number;
      finishedAt?: Date;
      engine?: string;
    }) {
      const organizationId = options.organizationId ?? 'finance';
      const finishedAt = options.finishedAt ?? FINISHED;
      await new DatabaseRunsStore(knex).create({
        id: options.id,
        organizationId,
        pipelineId: `pl-${organizationId}`,
        pipelineVersion: 1,
        engine: options.engine ?? 'databricks',
        trigger: 'manual',
        triggeredBy: 'user:default/test',
        idempotencyToken: deriveIdempotencyToken(options.id),
        at: new Date(finishedAt.getTime() - HOUR),
      });
      const compute = options.dbus * 0.55;
      const storage = options.storageCost ?? 0;
      await knex('runs')
        .where({ id: options.id })
        .update({
          status: 'succeeded',
          engine_run_id: options.engineRunId,
          started_at: new Date(finishedAt.getTime() - HOUR / 2),
          finished_at: finishedAt,
          dbus: options.dbus,
          cost: compute + storage,
        });
      const costs = new DatabaseCostsStore(knex);
      const base = {
        organizationId,
        costCenter: organizationId === 'finance' ? 'FIN-001' : 'RET-001',
        environment: 'production',
        pipelineId: `pl-${organizationId}`,
        runId: options.id,
        currency: 'USD',
        period: '2026-11',
        at: finishedAt,
      };
      if (options.dbus > 0) {
        await costs.add({
          ...base,
          serviceType: 'compute',
          quantity: options.dbus,
          unit: 'DBU',
          amount: compute,
        });
      }
      if (storage > 0) {
        await costs.add({
          ...base,
          serviceType: 'storage',
          quantity: 1,
          unit: 'GB-month',
          amount: storage,
        });
      }
    }

    const run = (id: string) => knex('runs').where({ id }).first();
    const compute = (id: string) =>
      knex('cost_records')
        .where({ run_id: id, service_type: 'compute' })
        .select('organization_id', 'quantity', 'amount', 'unit', 'period');

    it('replaces the estimate with the billed DBUs once billing has the run, and only then', async () => {
      await finishedRun({
        id: 'run-a',
        engineRunId: '1001',
        dbus: 2,
        storageCost: 0.1,
      });

      // Billing has nothing yet: the estimate stays and the run is looked at again later.
      await expect(reconciler.reconcile()).resolves.toEqual({
        billed: 0,
        waiting: 1,
        errors: 0,
      });
      expect(Number((await run('run-a')).dbus)).toBe(2);
      // Not due again within the back-off: no statement is sent.
      now = new Date(now.getTime() + HOUR / 2);
      await expect(reconciler.reconcile()).resolves.toEqual({
        billed: 0,
        waiting: 0,
        errors: 0,
      });
      expect(finance.statements()).toHaveLength(1);

      finance.addBillingUsage(
        { jobRunId: 1001, dbus: 1.5, workspaceId: 'ws-finance' },
        { jobRunId: 1001, dbus: 1.25, workspaceId: 'ws-finance' },
        // Another workspace of the account with the same run id.
        { jobRunId: 1001, dbus: 40, workspaceId: 'ws-other' },
      );
      now = new Date(now.getTime() + HOUR);
      await expect(reconciler.reconcile()).resolves.toEqual({
        billed: 1,
        waiting: 0,
        errors: 0,
      });
      const billed = await run('run-a');
      expect(Number(billed.dbus)).toBe(2.75);
      // Storage stays; compute is now 2.75 DBUs at the 0.55 the estimate was priced at.
      expect(Number(billed.cost)).toBeCloseTo(2.75 * 0.55 + 0.1, 6);
      expect(await compute('run-a')).toEqual([
        expect.objectContaining({
          quantity: 2.75,
          unit: 'DBU',
          period: '2026-11',
        }),
      ]);
      expect(Number((await compute('run-a'))[0].amount)).toBeCloseTo(1.5125, 6);
      expect(
        await knex('databricks_billing').where({ run_id: 'run-a' }).first(),
      ).toMatchObject({ organization_id: 'finance', checks: 2 });

      // Billed runs are never read again, even if billing changes later.
      finance.addBillingUsage({
        jobRunId: 1001,
        dbus: 9,
        workspaceId: 'ws-finance',
      });
      now = new Date(now.getTime() + 24 * HOUR);
      await reconciler.reconcile();
      expect(finance.statements()).toHaveLength(2);
      expect(Number((await run('run-a')).dbus)).toBe(2.75);
    });

    it('backs off between looks at a run billing does not know yet', async () => {
      await finishedRun({ id: 'run-a', engineRunId: '1001', dbus: 2 });
      const looks: number[] = [];
      for (let hour = 0; hour < 12; hour++) {
        await reconciler.reconcile();
        looks.push(finance.statements().length);
        now = new Date(now.getTime() + HOUR);
      }
      // Due after 1 h, then 2 h, then 4 h, then 8 h.
      expect(looks).toEqual([1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4]);
    });

    it('inserts a compute cost record at the configured price when the estimate was 0', async () => {
      await finishedRun({ id: 'run-b', engineRunId: '1002', dbus: 0 });
      finance.addBillingUsage({
        jobRunId: 1002,
        dbus: 4,
        workspaceId: 'ws-finance',
      });
      await reconciler.reconcile();
      expect(Number((await run('run-b')).dbus)).toBe(4);
      expect(Number((await run('run-b')).cost)).toBeCloseTo(2.2, 6);
      const records = await compute('run-b');
      expect(records).toEqual([
        expect.objectContaining({ organization_id: 'finance', quantity: 4 }),
      ]);
      expect(Number(records[0].amount)).toBeCloseTo(2.2, 6);
    });

    it('keeps tenants apart: another organization’s run with the same Databricks run id is left alone', async () => {
      await finishedRun({ id: 'run-f', engineRunId: '1001', dbus: 2 });
      await finishedRun({
        id: 'run-r',
        organizationId: 'retail',
        engineRunId: '1001',
        dbus: 3,
      });
      finance.addBillingUsage({
        jobRunId: 1001,
        dbus: 5,
        workspaceId: 'ws-finance',
      });
      retail.addBillingUsage({ jobRunId: 1001, dbus: 7 });
      await reconciler.reconcile();
      expect(Number((await run('run-f')).dbus)).toBe(5);
      // Retail has no billing warehouse: its workspace is never asked, its estimate stays.
      expect(Number((await run('run-r')).dbus)).toBe(3);
      expect(retail.requests).toEqual([]);
      expect(await compute('run-r')).toEqual([
        expect.objectContaining({ organization_id: 'retail', quantity: 3 }),
      ]);

      // With its own warehouse, retail's run gets retail's figure from retail's workspace.
      organizations[1] = {
        ...organizations[1],
        databricks: {
          ...organizations[1].databricks!,
          billingWarehouseId: 'wh-retail',
        },
      };
      await reconciler.reconcile();
      expect(Number((await run('run-r')).dbus)).toBe(7);
      expect(Number((await run('run-f')).dbus)).toBe(5);
      expect(
        await knex('databricks_billing')
          .orderBy('organization_id')
          .select('organization_id', 'run_id', 'billed_dbus'),
      ).toEqual([
        { organization_id: 'finance', run_id: 'run-f', billed_dbus: 5 },
        { organization_id: 'retail', run_id: 'run-r', billed_dbus: 7 },
      ]);
    });

    it('looks only at finished Databricks runs of the lookback window, past the first wait', async () => {
      await finishedRun({
        id: 'too-old',
        engineRunId: '1',
        dbus: 1,
        finishedAt: new Date(now.getTime() - 4 * 24 * HOUR),
      });
      await finishedRun({
        id: 'too-new',
        engineRunId: '2',
        dbus: 1,
        finishedAt: new Date(now.getTime() - HOUR / 2),
      });
      await finishedRun({
        id: 'local',
        engineRunId: '3',
        dbus: 1,
        engine: 'local',
      });
      await finishedRun({ id: 'due', engineRunId: '4', dbus: 1 });
      await knex('runs').insert({
        ...(await run('due')),
        id: 'running',
        status: 'running',
        finished_at: null,
        idempotency_token: deriveIdempotencyToken('running'),
      });
      await reconciler.reconcile();
      expect(finance.statements().map(s => s.parameters[0].value)).toEqual([
        '4',
      ]);
    });

    it('tries a run again on the next pass when the warehouse fails, without counting a look', async () => {
      await finishedRun({ id: 'run-a', engineRunId: '1001', dbus: 2 });
      finance.addBillingUsage({
        jobRunId: 1001,
        dbus: 3,
        workspaceId: 'ws-finance',
      });
      finance.failNextStatement({ message: 'Warehouse is starting' });
      await expect(reconciler.reconcile()).resolves.toEqual({
        billed: 0,
        waiting: 0,
        errors: 1,
      });
      expect(await knex('databricks_billing')).toEqual([]);
      await expect(reconciler.reconcile()).resolves.toMatchObject({
        billed: 1,
      });
      expect(Number((await run('run-a')).dbus)).toBe(3);
    });
  },
);
