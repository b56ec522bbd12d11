import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import { spec } from './schema/openapi.generated';
import { TEST_CONFIG } from './__testUtils__/demoTenants';
import { as } from './__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from './__testUtils__/setUpIngestionTestBackend';

/**
 * The contract every route of the OpenAPI document keeps: no credentials → 401 (health aside),
 * malformed ids and page sizes → 400 naming the parameter, never a 500 or a stack trace.
 */
const METHODS = ['get', 'post', 'put', 'delete'] as const;
const routes = Object.entries(spec.paths).flatMap(([path, item]) =>
  METHODS.filter(method => method in item).map(method => ({ path, method })),
);
const withIds = (path: string, id: string) => path.replace(/\{[^}]+\}/g, id);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('API contract on %s', databaseId => {
  const ingestion = setUpIngestionTestBackend(databases, databaseId, {
    config: {
      ingestion: { ...TEST_CONFIG.ingestion, rateLimits: { enabled: false } },
    },
  });

  const call = (method: (typeof METHODS)[number], url: string) =>
    request(ingestion.server)[method](`/api/ingestion${url}`);

  it('documents the contract routes of DESIGN §8', () => {
    const paths = Object.keys(spec.paths);
    for (const path of [
      '/v1/health',
      '/v1/organizations',
      '/v1/pipelines',
      '/v1/pipelines/{pipelineId}/versions',
      '/v1/pipelines/{pipelineId}/runs',
      '/v1/runs/{runId}',
      '/v1/specs/validate',
      '/v1/tables',
      '/v1/lineage',
      '/v1/quality',
      '/v1/costs',
      '/v1/costs/chargeback',
      '/v1/costs/estimate',
      '/v1/pipelines/{pipelineId}/deployment',
      '/v1/quotas',
      '/v1/audit',
      '/v1/connections',
    ]) {
      expect(paths).toContain(path);
    }
  });

  it.each(routes.map(r => [`${r.method.toUpperCase()} ${r.path}`, r] as const))(
    '%s answers 401 without credentials',
    async (_name, route) => {
      const res = await call(
        route.method,
        withIds(route.path, '00000000-0000-4000-8000-000000000000'),
      )
        .set('Authorization', mockCredentials.none.header())
        .send({});
      expect(res.status).toBe(route.path === '/v1/health' ? 200 : 401);
    },
  );

  const withIdParams = routes.filter(r =>
    /\{(pipelineId|runId|tableId|connectionId)\}/.test(r.path),
  );
  it.each(
    withIdParams.map(r => [`${r.method.toUpperCase()} ${r.path}`, r] as const),
  )('%s answers 400 for a malformed id', async (_name, route) => {
    const res = await call(route.method, withIds(route.path, 'not-an-id'))
      .set('Authorization', as('finance-admin'))
      .send({});
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/Id|pattern|must match/);
    expect(JSON.stringify(res.body)).not.toMatch(/\.ts:\d+/);
  });

  // Bodies of the scaffolder's routes: a missing or malformed field is a 400 naming it.
  it.each([
    ['POST', '/v1/costs/estimate', { spec: {} }, /organization/],
    [
      'POST',
      '/v1/costs/estimate',
      { organization: 'finance', spec: {}, expectedVolumeGb: -1 },
      /expectedVolumeGb/,
    ],
    [
      'PUT',
      '/v1/pipelines/00000000-0000-4000-8000-000000000000/deployment',
      { jobId: 'drop table' },
      /jobId/,
    ],
    [
      'PUT',
      '/v1/pipelines/00000000-0000-4000-8000-000000000000/deployment',
      // eslint-disable-next-line no-script-url -- the link the route must refuse
      { jobId: '1', jobUrl: 'javascript:alert(1)' },
      /jobUrl/,
    ],
  ] as const)(
    '%s %s answers 400 naming the field',
    async (method, path, body, field) => {
      const res = await call(method === 'POST' ? 'post' : 'put', path)
        .set('Authorization', as('finance-admin'))
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(field);
    },
  );

  const parametersOf = (path: string): Array<{ $ref?: string }> =>
    (spec.paths as Record<string, any>)[path].get.parameters ?? [];
  const lists = routes.filter(
    r =>
      r.method === 'get' &&
      parametersOf(r.path).some(
        p => p.$ref === '#/components/parameters/limit',
      ),
  );
  it.each(lists.map(r => [r.path, r] as const))(
    'GET %s answers 400 naming limit for a bad page size',
    async (_name, route) => {
      const takesOrganization = parametersOf(route.path).some(p =>
        p.$ref?.startsWith('#/components/parameters/organization'),
      );
      const query = takesOrganization
        ? '?organization=finance&limit=0'
        : '?limit=0';
      const res = await call(
        'get',
        `${withIds(
          route.path,
          '00000000-0000-4000-8000-000000000000',
        )}${query}`,
      ).set('Authorization', as('finance-admin'));
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/limit/);
    },
  );
});
