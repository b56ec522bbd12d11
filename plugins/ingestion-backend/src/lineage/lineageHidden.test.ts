import { TestDatabases } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { PermissionPolicy } from '@backstage/plugin-permission-node';
import { pipelineReadPermission } from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  createPipelineConditionalDecision,
  pipelineConditions,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import request from 'supertest';
import { batchSpec } from '../__testUtils__/specs';
import { as } from '../__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from '../__testUtils__/setUpIngestionTestBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const ANALYST = 'user:default/finance-analyst';
const ENGINEER = 'user:default/finance-engineer';

/** Finance's analyst may read every pipeline but the engineer's; everyone else may do anything. */
const ownerOnlyForAnalyst: PermissionPolicy = {
  async handle(decisionRequest, user) {
    if (
      decisionRequest.permission.name === pipelineReadPermission.name &&
      user?.info.userEntityRef === ANALYST
    ) {
      return createPipelineConditionalDecision(pipelineReadPermission, {
        not: pipelineConditions.isOwner({ claims: [ENGINEER] }),
      });
    }
    return { result: AuthorizeResult.ALLOW };
  },
};

const iceberg = (table: string) => ({
  type: 'iceberg',
  catalog: 'finance_catalog',
  schema: 'analytics',
  table,
});

/**
 * daily (analyst's) → daily_transactions → secret-enrich, secret-score (an engineer's), report (analyst's).
 * The analyst sees daily, the table and report, and a count of 2 for the others, never their names.
 */
describe.each(databases.eachSupportedId())(
  'hidden lineage neighbours on %s',
  databaseId => {
    const ids: Record<string, string> = {};

    const ingestion = setUpIngestionTestBackend(databases, databaseId, {
      policy: ownerOnlyForAnalyst,
      validateResponses: true,
    });

    beforeAll(async () => {
      const create = async (name: string, spec: unknown, owner: string) => {
        const res = await request(ingestion.server)
          .post('/api/ingestion/v1/pipelines')
          .set('Authorization', as('finance-admin'))
          .send({ organization: 'finance', name, spec, owner });
        expect(res.status).toBe(201);
        ids[name] = res.body.id;
      };
      const reading = (target: string) => ({
        pipeline_type: 'batch',
        source: iceberg('daily_transactions'),
        target: iceberg(target),
      });
      await create('daily', batchSpec(), ANALYST);
      await create('secret-enrich', reading('enriched'), ENGINEER);
      await create('secret-score', reading('scores'), ENGINEER);
      await create('report', reading('report'), ANALYST);
    });

    const DAILY =
      'dataset:iceberg:finance_catalog.analytics.daily_transactions';

    it('counts the pipelines the caller may not read, without naming them', async () => {
      const res = await request(ingestion.server)
        .get('/api/ingestion/v1/lineage/graph')
        .query({ organization: 'finance', pipelineId: ids.daily, depth: '2' })
        .set('Authorization', as('finance-analyst'));
      expect(res.status).toBe(200);
      expect(res.body.nodes.map((n: { id: string }) => n.id).sort()).toEqual(
        [
          `pipeline:${ids.daily}`,
          `pipeline:${ids.report}`,
          'dataset:mysql:finance-db/transactions',
          DAILY,
          'dataset:iceberg:finance_catalog.analytics.report',
        ].sort(),
      );
      expect(res.body.hidden).toEqual([
        { node: DAILY, direction: 'downstream', count: 2 },
      ]);
      const text = JSON.stringify(res.body);
      for (const secret of [
        'secret-enrich',
        'secret-score',
        ids['secret-enrich'],
        ids['secret-score'],
        'analytics.enriched',
        'analytics.scores',
      ]) {
        expect(text).not.toContain(secret);
      }
    });

    it('has nothing hidden for a caller who reads everything', async () => {
      const res = await request(ingestion.server)
        .get('/api/ingestion/v1/lineage/graph')
        .query({ organization: 'finance', pipelineId: ids.daily, depth: '2' })
        .set('Authorization', as('finance-engineer'));
      expect(res.status).toBe(200);
      expect(res.body.hidden).toEqual([]);
      expect(JSON.stringify(res.body)).toContain('secret-enrich');
    });
  },
);
