import {
  componentEntityV1alpha1Validator,
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  resourceEntityV1alpha1Validator,
  SchemaValidEntityPolicy,
  systemEntityV1alpha1Validator,
  type Entity,
} from '@backstage/catalog-model';
import { CatalogModel } from './CatalogModel';
import { organization, pipeline, table } from '../__testUtils__/fixtures';

const policy = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);
const kindValidators = [
  systemEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
];

/** What the catalog checks before it accepts an entity: the policies and the kind's schema. */
async function expectValid(entity: Entity) {
  await expect(policy.enforce(entity)).resolves.toBeDefined();
  const results = await Promise.all(kindValidators.map(v => v.check(entity)));
  expect(results).toContain(true);
}

function entitiesOf(model: CatalogModel): Entity[] {
  return model
    .subjects()
    .map(key => model.entityOf(key))
    .filter((e): e is Entity => e !== undefined);
}

/** A small seeded PRNG, so failures replay. */
function prng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('entities', () => {
  it('builds valid entities of every kind for the seed example', async () => {
    const model = new CatalogModel({ portalBaseUrl: 'https://portal.example' });
    model.setOrganizations([
      organization('finance', { databricksHost: 'https://x.databricks.test/' }),
    ]);
    model.setPipeline(
      pipeline('p1', {
        name: 'daily-transactions',
        databricksJobId: '42',
        schedule: '0 2 * * *',
      }),
    );
    model.setPipeline(
      pipeline('p2', {
        source: {
          type: 'kafka',
          bootstrap_servers: 'kafka:9092',
          topic: 'user-events',
        },
        target: { type: 'delta', path: 's3://lake/streaming/events' },
        pipelineType: 'streaming',
      }),
    );
    model.setTable(
      table('t1', {
        identifier: 'finance_catalog.analytics.table_p1',
        pipelineId: 'p1',
        classification: 'confidential',
        piiColumns: ['email'],
        columns: [
          { name: 'email', type: 'string', pii: ['email'] },
          { name: 'n', type: 'long' },
        ],
        metadataLocation: 'file:///w/metadata/v3.metadata.json',
      }),
    );
    const entities = entitiesOf(model);
    for (const entity of entities) {
      await expectValid(entity);
    }
    const byRef = new Map(
      entities.map(e => [
        `${e.kind.toLocaleLowerCase('en-US')}:${e.metadata.namespace}/${
          e.metadata.name
        }`,
        e,
      ]),
    );
    expect([...byRef.keys()].sort()).toEqual([
      'component:finance/daily-transactions',
      'component:finance/pipeline-p2',
      'resource:finance/delta-table.s3-lake-streaming-events-c54c05e6be',
      'resource:finance/finance_catalog.analytics.table_p1',
      'resource:finance/kafka-topic.user-events',
      'resource:finance/mysql-table.finance-db.transactions',
      'system:finance/finance-data-platform',
    ]);
    const component = byRef.get('component:finance/daily-transactions')!;
    expect(component.metadata.links).toEqual([
      {
        url: 'https://portal.example/ingestion/pipelines/p1',
        title: 'Pipeline in the ingestion portal',
        icon: 'dashboard',
      },
      { url: 'https://x.databricks.test/jobs/42', title: 'Databricks job' },
    ]);
    expect(component.metadata.tags).toEqual([
      'data-pipeline',
      'batch',
      'mysql',
      'iceberg',
    ]);
    const resource = byRef.get(
      'resource:finance/finance_catalog.analytics.table_p1',
    )!;
    expect(resource.metadata.tags).toEqual([
      'iceberg',
      'confidential',
      'pii',
      'pii-email',
    ]);
    expect(resource.metadata.annotations).toMatchObject({
      'ingestion.backstage.io/metadata-location':
        'file:///w/metadata/v3.metadata.json',
      'ingestion.backstage.io/table-id': 't1',
      'ingestion.backstage.io/pii-columns': 'email',
    });
  });

  it('gives valid, distinct names for hostile input', async () => {
    const random = prng(7);
    const alphabet = 'aZ9-_./:é😀 \u0000';
    const text = (max: number) => {
      let out = '';
      const length = 1 + Math.floor(random() * max);
      for (let i = 0; i < length; i++) {
        out += alphabet[Math.floor(random() * alphabet.length)];
      }
      return out;
    };
    const orgIds = ['finance', 'ab-', 'x--y', 'Finance_EU'];
    const model = new CatalogModel();
    model.setOrganizations(
      orgIds.map(id =>
        organization(id, {
          ownerGroup: text(10),
          costCenter: text(80),
          name: text(30),
        }),
      ),
    );
    for (let i = 0; i < 300; i++) {
      const org = orgIds[i % orgIds.length];
      model.setPipeline(
        pipeline(`p${i}`, {
          organization: org,
          name: text(90),
          owner: text(20),
          description: i % 2 ? text(50) : undefined,
          source: {
            type: 'file',
            path: text(120),
            format: 'csv',
          },
          target:
            i % 3
              ? {
                  type: 'iceberg',
                  catalog: text(20),
                  schema: text(20),
                  table: text(40),
                }
              : { type: 'parquet', path: text(200) },
        }),
      );
      if (i % 5 === 0) {
        model.setTable(
          table(`t${i}`, {
            organization: org,
            identifier: text(70),
            owner: text(15),
            classification: text(70),
            piiColumns: [text(10)],
            pipelineId: `p${i}`,
          }),
        );
      }
    }
    const entities = entitiesOf(model);
    const refs = new Set<string>();
    for (const entity of entities) {
      await expectValid(entity);
      const ref =
        `${entity.kind}:${entity.metadata.namespace}/${entity.metadata.name}`.toLocaleLowerCase(
          'en-US',
        );
      expect(refs.has(ref)).toBe(false);
      refs.add(ref);
    }
    expect(entities.length).toBeGreaterThan(300);
  });

  it('describes a table named by two records with the one changed last', () => {
    const model = new CatalogModel();
    model.setOrganizations([organization('finance')]);
    model.setTable(
      table('t2', {
        identifier: 'finance_catalog.analytics.orders',
        updatedAt: '2026-03-01T00:00:00.000Z',
      }),
    );
    model.setTable(
      table('t1', {
        identifier: 'finance_catalog.analytics.orders',
        updatedAt: '2026-02-01T00:00:00.000Z',
      }),
    );
    const [entity] = entitiesOf(model).filter(e => e.kind === 'Resource');
    expect(
      entity.metadata.annotations?.['ingestion.backstage.io/table-id'],
    ).toBe('t2');
  });

  it('builds the same entities whatever the order things arrive in', () => {
    const build = (reverse: boolean) => {
      const model = new CatalogModel();
      model.setOrganizations([organization('finance')]);
      const pipelines = [pipeline('a'), pipeline('b'), pipeline('c')];
      const tables = [
        table('t1', { identifier: 'finance_catalog.analytics.table_a' }),
        table('t2', {
          identifier: 'finance_catalog.analytics.table_a',
          updatedAt: '2026-02-01T00:00:00.000Z',
        }),
      ];
      (reverse ? pipelines.reverse() : pipelines).forEach(p =>
        model.setPipeline(p),
      );
      (reverse ? tables.reverse() : tables).forEach(t => model.setTable(t));
      return JSON.stringify(
        model
          .subjects()
          .sort()
          .map(k => model.entityOf(k)),
      );
    };
    expect(build(true)).toBe(build(false));
  });
});
