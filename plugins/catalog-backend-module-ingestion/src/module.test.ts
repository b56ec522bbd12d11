import { TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { randomUUID } from 'node:crypto';
import {
  as,
  eventually,
  startCatalogTestBackend,
} from './__testUtils__/startCatalogTestBackend';
import { briefBatchExample } from '@ingestion-for-backstage/plugin-ingestion-common';

jest.setTimeout(120_000);

const batchSpec = briefBatchExample();

/**
 * The module in a portal backend with the real catalog: entities and relations read back through
 * the catalog API, deltas on pipeline changes and table writes, and organization isolation
 * through the ingestion permission policy.
 */
describe('catalog module ingestion (real catalog backend)', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let baseUrl: string;
  let ingestionKnex: Awaited<ReturnType<TestDatabases['init']>>;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const started = await startCatalogTestBackend({
      databases,
      databaseId: 'SQLITE_3',
    });
    baseUrl = started.baseUrl;
    ingestionKnex = started.ingestionKnex;
    stop = () => started.backend.stop();
  });

  afterAll(async () => {
    await stop?.();
  });

  async function api(
    method: string,
    path: string,
    user: string,
    body?: unknown,
  ) {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: as(user),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async function entity(
    user: string,
    ref: string,
  ): Promise<Entity | undefined> {
    const [kind, rest] = ref.split(':');
    const [namespace, name] = rest.split('/');
    const res = await api(
      'GET',
      `/api/catalog/entities/by-name/${kind}/${namespace}/${name}`,
      user,
    );
    return res.status === 200 ? (res.body as Entity) : undefined;
  }

  /** The entity once the catalog has stitched its relations. */
  const stitched = async (
    user: string,
    ref: string,
    relations = 1,
    ready: (e: Entity) => boolean = () => true,
  ) => {
    let last: Entity | undefined;
    try {
      return await eventually(async () => {
        last = await entity(user, ref);
        return last && (last.relations?.length ?? 0) >= relations && ready(last)
          ? last
          : undefined;
      });
    } catch (error) {
      throw new Error(`${ref}: ${error}; last seen ${JSON.stringify(last)}`);
    }
  };

  const relationsOf = (e: Entity, type: string) =>
    (e.relations ?? [])
      .filter(r => r.type === type)
      .map(r => r.targetRef)
      .sort();

  let pipelineId: string;

  it('emits the system, pipeline, source and table with their relations', async () => {
    const created = await api(
      'POST',
      '/api/ingestion/v1/pipelines',
      'finance-engineer',
      {
        organization: 'finance',
        name: 'daily-transactions',
        description: 'Daily totals per customer',
        spec: batchSpec,
      },
    );
    expect(created.status).toBe(201);
    pipelineId = created.body.id;

    // The engine's commit, as the run driver records it.
    await ingestionKnex('data_tables').insert({
      id: randomUUID(),
      organization_id: 'finance',
      format: 'iceberg',
      catalog_name: 'finance_catalog',
      namespace: 'analytics',
      table_name: 'daily_transactions',
      location: 'file:///warehouse/finance/analytics/daily_transactions',
      owner: 'user:default/finance-engineer',
      pipeline_id: pipelineId,
      classification: 'confidential',
      pii_columns: JSON.stringify(['customer_id']),
      schema: JSON.stringify({
        type: 'struct',
        fields: [
          { id: 1, name: 'customer_id', type: 'string', required: false },
          { id: 2, name: 'date', type: 'date', required: false },
          { id: 3, name: 'amount', type: 'decimal(18, 2)', required: false },
          { id: 4, name: 'count', type: 'long', required: true },
        ],
      }),
      row_count: 3,
      size_bytes: 2048,
      created_at: new Date(),
      updated_at: new Date(),
    });

    // The table the pipeline writes is emitted before the engine's commit too: wait for the commit's.
    const table = await stitched(
      'finance-analyst',
      'resource:finance/finance_catalog.analytics.daily_transactions',
      3,
      e =>
        e.metadata.annotations?.['ingestion.backstage.io/owner'] !== undefined,
    );
    // Owned by a group of the organization (no user entities in this catalog: the owner group).
    expect(table.spec).toMatchObject({
      type: 'iceberg-table',
      owner: 'group:default/finance',
      system: 'system:finance/finance-data-platform',
      dependsOn: ['component:finance/daily-transactions'],
    });
    expect(table.metadata.annotations).toMatchObject({
      'ingestion.backstage.io/organization': 'finance',
      'ingestion.backstage.io/owner': 'user:default/finance-engineer',
      'ingestion.backstage.io/table-identifier':
        'finance_catalog.analytics.daily_transactions',
    });
    expect(table.metadata.tags).toEqual(
      expect.arrayContaining(['iceberg', 'confidential', 'pii']),
    );
    expect(table.metadata.columns).toHaveLength(4);
    expect(relationsOf(table, 'dependsOn')).toEqual([
      'component:finance/daily-transactions',
    ]);
    expect(relationsOf(table, 'partOf')).toEqual([
      'system:finance/finance-data-platform',
    ]);

    const pipeline = await stitched(
      'finance-analyst',
      'component:finance/daily-transactions',
      4,
    );
    expect(pipeline.spec).toMatchObject({
      type: 'data-pipeline',
      lifecycle: 'production',
      owner: 'group:default/finance',
      system: 'system:finance/finance-data-platform',
      dependsOn: ['resource:finance/mysql-table.finance-db.transactions'],
    });
    expect(pipeline.metadata.description).toBe('Daily totals per customer');
    expect(pipeline.metadata.annotations).toMatchObject({
      'ingestion.backstage.io/organization': 'finance',
      'ingestion.backstage.io/pipeline-id': pipelineId,
    });
    expect(pipeline.metadata.links?.[0]?.url).toBe(
      `http://portal.test/ingestion/pipelines/${pipelineId}`,
    );
    expect(relationsOf(pipeline, 'dependsOn')).toEqual([
      'resource:finance/mysql-table.finance-db.transactions',
    ]);
    await eventually(async () =>
      relationsOf(
        (await entity(
          'finance-analyst',
          'component:finance/daily-transactions',
        ))!,
        'dependencyOf',
      ).includes(
        'resource:finance/finance_catalog.analytics.daily_transactions',
      )
        ? true
        : undefined,
    );

    const source = await stitched(
      'finance-analyst',
      'resource:finance/mysql-table.finance-db.transactions',
      3,
    );
    expect(source.spec).toMatchObject({
      type: 'mysql-table',
      owner: 'group:default/finance',
    });
    expect(relationsOf(source, 'dependencyOf')).toEqual([
      'component:finance/daily-transactions',
    ]);

    const system = await stitched(
      'finance-analyst',
      'system:finance/finance-data-platform',
    );
    expect(system.spec).toEqual({ owner: 'group:default/finance' });
    expect(relationsOf(system, 'hasPart')).toEqual(
      expect.arrayContaining([
        'component:finance/daily-transactions',
        'resource:finance/finance_catalog.analytics.daily_transactions',
      ]),
    );
  });

  it('hides an organization’s entities from users of other organizations', async () => {
    const query = (user: string) =>
      api(
        'GET',
        `/api/catalog/entities/by-query?filter=${encodeURIComponent(
          'metadata.annotations.ingestion.backstage.io/organization=finance',
        )}&limit=100`,
        user,
      );
    const member = await query('finance-viewer');
    expect(member.status).toBe(200);
    expect(member.body.items.length).toBeGreaterThanOrEqual(4);

    const outsider = await query('retail-admin');
    expect(outsider.status).toBe(200);
    expect(outsider.body.items).toEqual([]);
    expect(
      await entity('retail-admin', 'component:finance/daily-transactions'),
    ).toBeUndefined();
    // ... while retail's own system stays visible to them
    expect(
      await entity('retail-admin', 'system:retail/retail-data-platform'),
    ).toBeDefined();
    expect(
      await entity('finance-admin', 'system:retail/retail-data-platform'),
    ).toBeUndefined();
  });

  it('follows a pipeline change, a new pipeline and a deletion with deltas', async () => {
    const current = await api(
      'GET',
      `/api/ingestion/v1/pipelines/${pipelineId}`,
      'finance-engineer',
    );
    const updated = await api(
      'PUT',
      `/api/ingestion/v1/pipelines/${pipelineId}`,
      'finance-engineer',
      {
        expectedVersion: current.body.currentVersion,
        spec: {
          ...batchSpec,
          source: { type: 'postgres', connection: 'ledger', table: 'entries' },
        },
      },
    );
    expect(updated.status).toBe(200);
    const changed = await eventually(async () => {
      const found = await entity(
        'finance-analyst',
        'component:finance/daily-transactions',
      );
      return (found?.spec?.dependsOn as string[] | undefined)?.includes(
        'resource:finance/postgres-table.ledger.entries',
      )
        ? found
        : undefined;
    });
    expect(changed.spec?.dependsOn).toEqual([
      'resource:finance/postgres-table.ledger.entries',
    ]);
    // The source no pipeline reads any more is gone.
    await eventually(async () =>
      (await entity(
        'finance-analyst',
        'resource:finance/mysql-table.finance-db.transactions',
      ))
        ? undefined
        : true,
    );

    const second = await api(
      'POST',
      '/api/ingestion/v1/pipelines',
      'finance-engineer',
      { organization: 'finance', name: 'events_', spec: batchSpec },
    );
    expect(second.status).toBe(201);
    const secondEntity = await eventually(async () => {
      const res = await api(
        'GET',
        `/api/catalog/entities/by-query?filter=${encodeURIComponent(
          `metadata.annotations.ingestion.backstage.io/pipeline-id=${second.body.id}`,
        )}`,
        'finance-analyst',
      );
      return res.body?.items?.[0] as Entity | undefined;
    });
    expect(secondEntity.metadata.name).toMatch(/^events-[0-9a-f]{10}$/);
    expect(secondEntity.metadata.title).toBe('events_');

    const deleted = await api(
      'DELETE',
      `/api/ingestion/v1/pipelines/${second.body.id}`,
      'finance-engineer',
    );
    expect(deleted.status).toBe(204);
    await eventually(async () =>
      (await entity(
        'finance-analyst',
        `component:finance/${secondEntity.metadata.name}`,
      ))
        ? undefined
        : true,
    );
  });

  it('follows a table the engine writes again', async () => {
    await ingestionKnex('data_tables')
      .where({ organization_id: 'finance', table_name: 'daily_transactions' })
      .update({ classification: 'restricted', updated_at: new Date() });
    const rewritten = await eventually(async () => {
      const found = await entity(
        'finance-analyst',
        'resource:finance/finance_catalog.analytics.daily_transactions',
      );
      return found?.metadata.tags?.includes('restricted') ? found : undefined;
    });
    expect(rewritten.metadata.labels).toMatchObject({
      'ingestion.backstage.io/classification': 'restricted',
    });
  });
});
