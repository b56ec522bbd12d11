import { test, expect } from '@playwright/test';
import { BACKEND, shot, signIn, tokenOf, visit } from './support/demo';

/**
 * Issue 16's organization dashboard in the running portal: finance-engineer opens the Ingestion
 * home and sees finance's dashboard with its numbers and the demo pipeline, and filters the
 * pipelines by name on the server; a retail user's switcher has no Finance, and finance's
 * dashboard URL reads "not found" for them (the API answers 404). With E2E_SCREENSHOTS=<dir> the
 * pages are also saved as PNGs.
 */

const PIPELINE = 'daily-transactions';

test("a finance engineer sees finance's dashboard and filters its pipelines on the server; a retail user finds no finance", async ({
  browser,
  request,
}) => {
  test.setTimeout(420_000);

  // The API: finance's numbers for its engineer, 404 for a retail user.
  const finance = {
    Authorization: `Bearer ${await tokenOf(request, 'finance-engineer')}`,
  };
  const retail = {
    Authorization: `Bearer ${await tokenOf(request, 'retail-engineer')}`,
  };
  const url = `${BACKEND}/api/ingestion/v1/organizations/finance/dashboard`;
  // The demo pipelines are seeded in the background on first start.
  await expect(async () => {
    const res = await request.get(url, { headers: finance });
    expect(res.status()).toBe(200);
    const body = await res.json();
    expect(body.pipelines.total).toBeGreaterThanOrEqual(1);
    expect(body.quality).toBeDefined();
    expect(body.spend.currency).toBeTruthy();
  }).toPass({ timeout: 180_000 });
  expect((await request.get(url, { headers: retail })).status()).toBe(404);

  // finance-engineer: the home is finance's dashboard.
  const engineer = await signIn(browser, 'finance-engineer');
  const pipelineLink = engineer.getByRole('link', {
    name: PIPELINE,
    exact: true,
  });
  await visit(engineer, '/ingestion', async () => {
    await expect(engineer.getByText('Pipelines by health')).toBeVisible({
      timeout: 20_000,
    });
    await expect(pipelineLink).toBeVisible({ timeout: 10_000 });
  });
  await expect(
    engineer.getByText(/^Finance · cost center FIN-001/),
  ).toBeVisible();
  await expect(engineer.getByText('Runs today')).toBeVisible();
  await expect(engineer.getByText('Quality score')).toBeVisible();
  await expect(engineer.getByText('month to date')).toBeVisible();
  await expect(engineer.getByText(/monthly budget/)).toBeVisible();
  const total = Number(
    (await engineer.getByText(/^\d+ pipelines?$/).textContent())?.split(' ')[0],
  );
  expect(total).toBeGreaterThanOrEqual(1);
  await shot(engineer, 'dashboard-finance-engineer');

  // The name filter goes to the server (once typing pauses).
  const search = engineer.getByLabel('Search by name');
  const filtered = engineer.waitForRequest(
    req =>
      req.url().includes('/organizations/finance/dashboard/pipelines') &&
      new URL(req.url()).searchParams.get('name') === 'daily',
  );
  await search.fill('daily');
  await filtered;
  await expect(pipelineLink).toBeVisible();
  const none = engineer.waitForRequest(
    req =>
      req.url().includes('/dashboard/pipelines') &&
      new URL(req.url()).searchParams.get('name') === 'no-such-pipeline',
  );
  await search.fill('no-such-pipeline');
  await none;
  await expect(
    engineer.getByText('No pipelines match these filters.'),
  ).toBeVisible();
  await expect(pipelineLink).toHaveCount(0);
  await expect(engineer.getByText('Pipelines (0)')).toBeVisible();
  await shot(engineer, 'dashboard-filtered-finance-engineer');

  // retail-engineer: no Finance in the switcher, and finance's URL is "not found".
  const other = await signIn(browser, 'retail-engineer');
  await visit(other, '/ingestion', async () => {
    await expect(other.getByText('Pipelines by health')).toBeVisible({
      timeout: 20_000,
    });
  });
  await expect(other.getByText(/^Retail · cost center/)).toBeVisible();
  await other.getByLabel('Organization').click();
  const options = await other.getByRole('option').allTextContents();
  expect(options).toContain('Retail');
  expect(options).not.toContain('Finance');
  await other.keyboard.press('Escape');
  await visit(other, '/ingestion?organization=finance', async () => {
    await expect(other.getByText('Not found')).toBeVisible({
      timeout: 20_000,
    });
  });
  await expect(other.getByText(PIPELINE)).toHaveCount(0);
  await shot(other, 'dashboard-denied-retail-engineer');
});
