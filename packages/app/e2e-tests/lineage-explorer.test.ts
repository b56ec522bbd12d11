import { test, expect } from '@playwright/test';
import { BACKEND, signIn, tokenOf } from './support/demo';
import { mkdirSync } from 'node:fs';

/**
 * Issue 16's lineage explorer in the running portal: a finance engineer opens a demo table's
 * lineage from its catalog page, sees the pipelines up and down stream, selects a column and sees
 * its path, opens the full explorer and clicks through to a catalog entity; a retail user gets
 * "not found" at the same address and no finance name.
 */

const PIPELINE = 'daily-transactions';
const DOWNSTREAM = 'customer-totals-e2e';
const TABLE = 'finance_catalog.analytics.daily_transactions';
const SHOTS = '/tmp/shots';

test('a finance engineer follows a column through the lineage explorer; a retail user sees none of it', async ({
  browser,
  request,
}) => {
  test.setTimeout(420_000);
  mkdirSync(SHOTS, { recursive: true });
  const token = await tokenOf(request, 'finance-engineer');
  const headers = { Authorization: `Bearer ${token}` };

  // The demo pipeline and the table its seeded run wrote.
  let pipelineId: string | undefined;
  await expect
    .poll(
      async () => {
        const res = await request.get(`${BACKEND}/api/ingestion/v1/pipelines`, {
          headers,
          params: { organization: 'finance' },
        });
        pipelineId = ((await res.json()) as any).items?.find(
          (p: { name: string }) => p.name === PIPELINE,
        )?.id;
        return pipelineId;
      },
      { timeout: 120_000, message: 'the demo pipeline is seeded' },
    )
    .toBeTruthy();
  await expect
    .poll(
      async () => {
        const res = await request.get(`${BACKEND}/api/ingestion/v1/tables`, {
          headers,
          params: { organization: 'finance' },
        });
        return ((await res.json()) as any).items?.some(
          (t: { identifier?: string }) => t.identifier === TABLE,
        );
      },
      { timeout: 180_000, message: 'the demo run wrote its table' },
    )
    .toBe(true);

  // A downstream pipeline reading the demo table, so the table has both sides.
  const created = await request.post(`${BACKEND}/api/ingestion/v1/pipelines`, {
    headers,
    data: {
      organization: 'finance',
      name: DOWNSTREAM,
      spec: {
        pipeline_type: 'batch',
        source: {
          type: 'iceberg',
          catalog: 'finance_catalog',
          schema: 'analytics',
          table: 'daily_transactions',
        },
        transformations: [{ type: 'rename', columns: { amount: 'total' } }],
        target: {
          type: 'iceberg',
          catalog: 'finance_catalog',
          schema: 'analytics',
          table: 'customer_totals_e2e',
        },
      },
    },
  });
  expect([201, 409]).toContain(created.status());

  // The API says the same as the page will: upstream and downstream of the table, named.
  await expect
    .poll(
      async () => {
        const res = await request.get(
          `${BACKEND}/api/ingestion/v1/lineage/graph`,
          {
            headers,
            params: {
              organization: 'finance',
              dataset: `iceberg:${TABLE}`,
              depth: '1',
            },
          },
        );
        return ((await res.json()) as any).nodes
          ?.map((n: { name: string }) => n.name)
          .sort();
      },
      { timeout: 60_000, message: 'the lineage of the demo table' },
    )
    .toEqual(expect.arrayContaining([PIPELINE, DOWNSTREAM, TABLE]));

  // The table's Lineage tab in the catalog.
  const finance = await signIn(browser, 'finance-engineer');
  await finance.goto(`/catalog/finance/resource/${TABLE}/lineage`);
  const graph = finance.getByRole('region', { name: 'Lineage graph' });
  await expect(graph).toBeVisible({ timeout: 60_000 });
  await expect(
    graph.getByLabel(new RegExp(`^Pipeline ${PIPELINE}, last run `)),
  ).toBeVisible();
  await expect(
    graph.getByLabel(new RegExp(`^Pipeline ${DOWNSTREAM}, never run`)),
  ).toBeVisible();
  await expect(
    graph.getByLabel(`Dataset ${TABLE} (iceberg-table)`),
  ).toBeVisible();

  // Select a column: its path through both pipelines is highlighted and spelled out.
  await graph
    .getByRole('button', { name: `Column amount of ${TABLE}`, exact: true })
    .click();
  await expect(
    graph.getByRole('button', {
      name: `Column amount of ${TABLE} (on the selected path)`,
    }),
  ).toHaveAttribute('aria-pressed', 'true');
  const path = finance.getByRole('list', { name: 'Column path' });
  await expect(path).toBeVisible();
  await expect(path.getByText(/total/).first()).toBeVisible();
  await expect(path.getByText(new RegExp(`by ${PIPELINE}`))).toBeVisible();
  await finance.screenshot({
    path: `${SHOTS}/lineage-finance-engineer.png`,
    fullPage: true,
  });

  // The full explorer, then through to the downstream pipeline's catalog page.
  await finance
    .getByRole('link', { name: 'Open in the lineage explorer' })
    .click();
  await expect(
    finance.getByRole('heading', { name: 'Lineage explorer' }),
  ).toBeVisible();
  const explorer = finance.getByRole('region', { name: 'Lineage graph' });
  await expect(
    explorer.getByLabel(new RegExp(`^Pipeline ${DOWNSTREAM}`)),
  ).toBeVisible({ timeout: 60_000 });
  await finance.screenshot({
    path: `${SHOTS}/lineage-finance-explorer.png`,
    fullPage: true,
  });
  const explorerUrl = finance.url();
  await explorer.getByRole('link', { name: DOWNSTREAM, exact: true }).click();
  await expect(finance).toHaveURL(
    new RegExp(`/catalog/finance/component/${DOWNSTREAM}`),
  );

  // The organization's quality monitor: the demo run checked its completeness rule.
  await finance.goto('/ingestion/quality?organization=finance');
  await expect(finance.getByText('Quality score of finance')).toBeVisible({
    timeout: 60_000,
  });
  await finance.screenshot({
    path: `${SHOTS}/quality-finance-engineer.png`,
    fullPage: true,
  });
  await expect(finance.getByLabel('Quality score', { exact: true })).toHaveText(
    /%$/,
  );

  // A finance viewer reads the same graph, and gets no Edit button on the pipeline.
  const { pathname, search } = new URL(explorerUrl);
  const viewer = await signIn(browser, 'finance-viewer');
  await viewer.goto(pathname + search);
  const viewerGraph = viewer.getByRole('region', { name: 'Lineage graph' });
  await expect(
    viewerGraph.getByLabel(new RegExp(`^Pipeline ${DOWNSTREAM}`)),
  ).toBeVisible({ timeout: 60_000 });
  await expect(
    viewerGraph.getByLabel(new RegExp(`^Pipeline ${PIPELINE}`)).first(),
  ).toBeVisible();
  await viewer.goto(`/ingestion/pipelines/${pipelineId}`);
  await expect(viewer.getByRole('heading', { name: PIPELINE })).toBeVisible({
    timeout: 60_000,
  });
  await expect(viewer.getByRole('link', { name: 'Edit' })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: 'Edit' })).toHaveCount(0);

  // Retail: the same explorer address shows "not found" and no finance name.
  const retail = await signIn(browser, 'retail-engineer');
  await retail.goto(pathname + search);
  await expect(
    retail.getByRole('heading', { name: 'Lineage explorer' }),
  ).toBeVisible({ timeout: 60_000 });
  await expect(retail.getByTestId('progress')).toHaveCount(0, {
    timeout: 60_000,
  });
  await retail.screenshot({
    path: `${SHOTS}/lineage-retail-engineer.png`,
    fullPage: true,
  });
  await expect(retail.getByText('Not found', { exact: true })).toBeVisible();
  await expect(
    retail.getByRole('region', { name: 'Lineage graph' }),
  ).toHaveCount(0);
  const text = await retail.locator('main').innerText();
  for (const name of [PIPELINE, DOWNSTREAM, TABLE]) {
    expect(text).not.toContain(name);
  }
});
