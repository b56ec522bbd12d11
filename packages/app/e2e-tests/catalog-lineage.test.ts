import { test, expect, type APIRequestContext } from '@playwright/test';
import { BACKEND, tokenOf } from './support/demo';

/**
 * Issue 6's "done when", in the running portal: after the local engine writes a table, the catalog
 * shows the pipeline, its source dataset and the table, related source → pipeline → table so that
 * catalog-graph draws the chain, and a user of another organization sees none of them.
 */

const PIPELINE = 'daily-transactions';
const TABLE = 'finance_catalog.analytics.daily_transactions';

interface Entity {
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    title?: string;
    annotations?: Record<string, string>;
  };
  spec?: { type?: string; dependsOn?: string[] };
  relations?: Array<{ type: string; targetRef: string }>;
}

const refOf = (entity: Entity) =>
  `${entity.kind}:${entity.metadata.namespace ?? 'default'}/${
    entity.metadata.name
  }`.toLocaleLowerCase('en-US');

const targets = (entity: Entity, type: string) =>
  (entity.relations ?? []).filter(r => r.type === type).map(r => r.targetRef);

function client(request: APIRequestContext, token: string) {
  const headers = { Authorization: `Bearer ${token}` };
  return {
    get: (path: string, params?: Record<string, string>) =>
      request.get(`${BACKEND}${path}`, { headers, params }),
    post: (path: string, data: object) =>
      request.post(`${BACKEND}${path}`, { headers, data }),
  };
}

const entityPath = (ref: string) => {
  const [kind, rest] = ref.split(':');
  const [namespace, name] = rest.split('/');
  return `/api/catalog/entities/by-name/${kind}/${namespace}/${name}`;
};

test('a local run writes a table; the catalog relates source → pipeline → table for finance, and retail sees none of it', async ({
  page,
  request,
}) => {
  test.setTimeout(300_000);
  const finance = client(request, await tokenOf(request, 'finance-engineer'));
  const retail = client(request, await tokenOf(request, 'retail-engineer'));

  // The demo pipeline of finance, seeded on first start; run it again on the local engine.
  const pipelines = await finance.get('/api/ingestion/v1/pipelines', {
    organization: 'finance',
  });
  expect(pipelines.status()).toBe(200);
  const pipeline = ((await pipelines.json()) as any).items.find(
    (p: { name: string }) => p.name === PIPELINE,
  );
  expect(pipeline, `demo pipeline ${PIPELINE}`).toBeDefined();
  const triggered = await finance.post(
    `/api/ingestion/v1/pipelines/${pipeline.id}/runs`,
    {},
  );
  expect(triggered.status()).toBe(202);
  const runId = ((await triggered.json()) as any).id as string;
  await expect
    .poll(
      async () =>
        (
          (await (
            await finance.get(`/api/ingestion/v1/runs/${runId}`)
          ).json()) as any
        ).status,
      { timeout: 180_000, message: `run ${runId} succeeds` },
    )
    .toBe('succeeded');

  // The catalog: the pipeline Component, found by its pipeline id.
  let component: Entity | undefined;
  await expect
    .poll(
      async () => {
        const res = await finance.get('/api/catalog/entities/by-query', {
          filter: `kind=component,metadata.annotations.ingestion.backstage.io/pipeline-id=${pipeline.id}`,
        });
        component = ((await res.json()) as any).items?.[0];
        return component?.spec?.type;
      },
      { timeout: 120_000, message: 'the pipeline is in the catalog' },
    )
    .toBe('data-pipeline');
  const pipelineRef = refOf(component!);
  expect(component!.metadata.annotations).toMatchObject({
    'ingestion.backstage.io/organization': 'finance',
  });

  // source → pipeline: the Component depends on its source dataset's Resource.
  const [sourceRef] = targets(component!, 'dependsOn').filter(r =>
    r.startsWith('resource:'),
  );
  expect(sourceRef, 'the pipeline depends on its source').toBeDefined();
  const source = (await (
    await finance.get(entityPath(sourceRef))
  ).json()) as Entity;
  expect(source.kind).toBe('Resource');
  expect(source.spec?.type).not.toBe('iceberg-table');
  expect(targets(source, 'dependencyOf')).toContain(pipelineRef);

  // pipeline → table: the table's Resource depends on the pipeline that writes it.
  let table: Entity | undefined;
  await expect
    .poll(
      async () => {
        const res = await finance.get('/api/catalog/entities/by-query', {
          filter: `kind=resource,spec.type=iceberg-table,metadata.annotations.ingestion.backstage.io/table-identifier=${TABLE}`,
        });
        table = ((await res.json()) as any).items?.[0];
        return table ? targets(table, 'dependsOn') : [];
      },
      { timeout: 120_000, message: 'the table depends on the pipeline' },
    )
    .toContain(pipelineRef);
  const tableRef = refOf(table!);
  const refreshed = (await (
    await finance.get(entityPath(pipelineRef))
  ).json()) as Entity;
  expect(targets(refreshed, 'dependencyOf')).toContain(tableRef);

  // A user of another organization sees none of them: not by name, not in lists.
  for (const ref of [pipelineRef, sourceRef, tableRef]) {
    expect((await retail.get(entityPath(ref))).status(), ref).toBe(404);
  }
  const listed = await retail.get('/api/catalog/entities/by-query', {
    filter: 'metadata.annotations.ingestion.backstage.io/organization=finance',
  });
  expect(listed.status()).toBe(200);
  expect(((await listed.json()) as any).items).toEqual([]);
  const everything = await retail.get('/api/catalog/entities', {
    filter: 'kind=component,spec.type=data-pipeline',
  });
  expect(((await everything.json()) as Entity[]).map(refOf)).not.toContain(
    pipelineRef,
  );

  // In the browser: the pipeline's page draws the chain in catalog-graph's relations card.
  await page.goto('/');
  await page.getByRole('button', { name: 'finance-engineer' }).click();
  // Signed in: the catalog (the landing page) lists finance's pipeline.
  await expect(
    page.getByRole('link', { name: PIPELINE }).first(),
  ).toBeVisible();
  const [namespace, name] = pipelineRef.split(':')[1].split('/');
  await page.goto(`/catalog/${namespace}/component/${name}`);
  const graph = page.locator('svg').filter({
    has: page.locator('text', {
      hasText: component!.metadata.title ?? component!.metadata.name,
    }),
  });
  await expect(page.getByText('Relations').first()).toBeVisible();
  for (const entity of [source, table!]) {
    await expect(
      graph
        .locator('text', {
          hasText: entity.metadata.title ?? entity.metadata.name,
        })
        .first(),
    ).toBeVisible();
  }

  // The table's page: its Iceberg schema and snapshots, and what the writing pipeline's runs say.
  const [tableNamespace, tableName] = tableRef.split(':')[1].split('/');
  await page.goto(`/catalog/${tableNamespace}/resource/${tableName}/iceberg`);
  await expect(page.getByText('Schema').first()).toBeVisible();
  await expect(page.getByText('customer_id').first()).toBeVisible();
  await expect(page.getByText('Snapshots').first()).toBeVisible();
  await expect(
    page.getByText(`Quality of the writes (pipeline ${pipeline.id})`),
  ).toBeVisible();
  await expect(page.getByText('Quality rules')).toBeVisible();
});
