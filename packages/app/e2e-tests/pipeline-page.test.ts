import { test, expect } from '@playwright/test';
import { signIn } from './support/demo';

test('a finance engineer opens a demo pipeline from the Ingestion page and sees its runs; a retail user gets "not found" at the same URL', async ({
  browser,
}) => {
  // The demo pipelines are seeded in the background on first start.
  test.setTimeout(300_000);

  const finance = await signIn(browser, 'finance-engineer');
  await finance.goto('/ingestion');
  await expect(finance.getByText('My organizations')).toBeVisible({
    timeout: 60_000,
  });
  // Exactly the pipeline's name: the dashboard's recent failures link its runs too.
  const pipelineLink = finance.getByRole('link', {
    name: 'daily-transactions',
    exact: true,
  });
  await expect(async () => {
    await finance.reload();
    await expect(pipelineLink).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 180_000 });
  await pipelineLink.click();

  await expect(finance).toHaveURL(/\/ingestion\/pipelines\/[^/?]+/);
  const pipelinePath = new URL(finance.url()).pathname;
  await expect(
    finance.getByRole('heading', { name: 'daily-transactions' }),
  ).toBeVisible();
  await expect(
    finance.getByText('component:finance/daily-transactions'),
  ).toBeVisible();
  // The governance policy's masking in the development organization, from the effective spec.
  await expect(finance.getByText('PII governance')).toBeVisible();
  await expect(
    finance.getByText(/this development organization/),
  ).toBeVisible();

  await finance.getByRole('tab', { name: 'Runs' }).click();
  // The seeder's run of the pipeline, triggered through the API.
  await expect(finance.getByText(/^api by /).first()).toBeVisible();
  // Engineers may execute pipelines of their organization.
  await expect(finance.getByRole('button', { name: 'Run now' })).toBeVisible();

  const retail = await signIn(browser, 'retail-analyst');
  await retail.goto(pipelinePath);
  await expect(retail.getByText('Not found')).toBeVisible();
  await expect(retail.getByText('daily-transactions')).toHaveCount(0);
});
