import { TestDatabases } from '@backstage/backend-test-utils';
import {
  briefBatchExample,
  briefStreamingExample,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import request from 'supertest';
import { TEST_CONFIG } from '../__testUtils__/demoTenants';
import { DEMO_PIPELINES } from '../demo/demoPipelines';
import { as } from '../__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from '../__testUtils__/setUpIngestionTestBackend';

/**
 * Class 5 over HTTP: the catalogs and storage locations a spec names are its organization's,
 * decided by the one validation that creation, new versions, rollbacks and `specs/validate`
 * share. Finance owns finance_catalog, its storage root and s3://finance-data-lake.
 */
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

type Json = Record<string, any>;

const FOREIGN: Array<[string, (spec: Json) => Json, string]> = [
  [
    "retail's catalog as target",
    spec => ({
      ...spec,
      target: { ...spec.target, catalog: 'retail_catalog' },
    }),
    'target.catalog',
  ],
  [
    "retail's catalog as Iceberg source",
    spec => ({
      ...spec,
      source: {
        type: 'iceberg',
        catalog: 'retail_catalog',
        schema: 'sales',
        table: 'orders',
      },
    }),
    'source.catalog',
  ],
  [
    "retail's bucket as a file source, even with a connection",
    spec => ({
      ...spec,
      source: {
        type: 'file',
        path: 's3://retail-data-lake/raw/*.csv',
        format: 'csv',
        connection: 'lake',
      },
    }),
    'source.path',
  ],
  [
    'a path that climbs out of the storage root',
    spec => ({
      ...spec,
      source: { type: 'file', path: '../retail/raw/x.csv', format: 'csv' },
    }),
    'source.path',
  ],
  [
    'an absolute path',
    spec => ({
      ...spec,
      source: { type: 'file', path: '/etc/passwd', format: 'csv' },
    }),
    'source.path',
  ],
];

const foreignDelta = () => {
  const spec: Json = briefStreamingExample();
  spec.target.path = 's3://retail-data-lake/streaming/user-events';
  return spec;
};

describe.each(databases.eachSupportedId())(
  'tenant resources of specs on %s',
  databaseId => {
    let counter = 0;

    const ingestion = setUpIngestionTestBackend(
      databases,
      databaseId,
      {
        validateResponses: true,
        config: {
          ingestion: {
            ...TEST_CONFIG.ingestion,
            organizations: TEST_CONFIG.ingestion.organizations.map(org =>
              org.id === 'finance'
                ? { ...org, storageLocations: ['s3://finance-data-lake'] }
                : org,
            ),
          },
        },
      },
      { timeout: 120_000 },
    );

    const create = (spec: unknown, org = 'finance') => {
      counter += 1;
      return request(ingestion.server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as(`${org}-engineer`))
        .send({ organization: org, name: `tenant-${counter}`, spec });
    };

    const validate = (body: Json, user = 'finance-engineer') =>
      request(ingestion.server)
        .post('/api/ingestion/v1/specs/validate')
        .set('Authorization', as(user))
        .send(body);

    /** Status and problem paths of a refusal, and whether a message says whose a name is. */
    const refusal = (res: request.Response) => ({
      status: res.status,
      paths: (res.body.problems ?? []).map((p: { path: string }) => p.path),
      // Messages name the organization's own resources, never whose a refused name is.
      namesOwner: (res.body.problems ?? []).some((p: { message: string }) =>
        /belongs to|retail's|another organization/.test(p.message),
      ),
    });
    const refused = (path: string) => ({
      status: 400,
      paths: [path],
      namesOwner: false,
    });

    it("accepts the brief's examples for finance", async () => {
      for (const spec of [briefBatchExample(), briefStreamingExample()]) {
        expect((await create(spec)).status).toBe(201);
        expect((await validate({ spec, organization: 'finance' })).status).toBe(
          200,
        );
      }
    });

    it.each(FOREIGN)(
      'refuses %s when creating a pipeline',
      async (_name, change, path) => {
        expect(refusal(await create(change(briefBatchExample())))).toEqual(
          refused(path),
        );
      },
    );

    it("refuses a Delta target in retail's bucket", async () => {
      const res = await create(foreignDelta());
      expect(refusal(res)).toEqual(refused('target.path'));
      expect(res.body.problems[0].message).toBe(
        "`s3://retail-data-lake/streaming/user-events` is not in organization finance's storage (paths relative to its storage root, s3://finance-data-lake)",
      );
    });

    it("refuses a new version naming retail's catalog", async () => {
      const created = await create(briefBatchExample());
      expect(created.status).toBe(201);
      const res = await request(ingestion.server)
        .put(`/api/ingestion/v1/pipelines/${created.body.id}`)
        .set('Authorization', as('finance-engineer'))
        .send({
          expectedVersion: 1,
          spec: FOREIGN[0][1](briefBatchExample()),
        });
      expect(refusal(res)).toEqual(refused('target.catalog'));
      expect(res.body.problems[0].message).toBe(
        "catalog `retail_catalog` is not one of organization finance's catalogs (finance_catalog)",
      );
    });

    it.each(FOREIGN)(
      'specs/validate with the organization refuses %s',
      async (_name, change, path) => {
        const res = await validate({
          spec: change(briefBatchExample()),
          organization: 'finance',
        });
        expect(refusal(res)).toEqual(refused(path));
      },
    );

    it('specs/validate checks only the structure without an organization', async () => {
      const res = await validate({ spec: FOREIGN[0][1](briefBatchExample()) });
      expect(res.status).toBe(200);
    });

    it('specs/validate for an organization needs its membership and the right to create', async () => {
      const spec = briefBatchExample();
      expect(
        (await validate({ spec, organization: 'retail' }, 'finance-engineer'))
          .status,
      ).toBe(404);
      expect(
        (await validate({ spec, organization: 'finance' }, 'finance-analyst'))
          .status,
      ).toBe(403);
    });

    it.each(DEMO_PIPELINES.map(p => [p.organization, p.name, p] as const))(
      'validates the demo pipeline of %s, %s, for its organization',
      async (organization, _name, pipeline) => {
        const user = `${organization}-engineer`;
        const res = await validate({ spec: pipeline.spec, organization }, user);
        expect(res.status).toBe(200);
      },
    );

    it("accepts retail's own catalog for retail", async () => {
      const spec = FOREIGN[0][1](briefBatchExample());
      expect((await create(spec, 'retail')).status).toBe(201);
    });
  },
);
