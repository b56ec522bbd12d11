import { test, expect } from '@playwright/test';

test('a demo user signs in, finds Ingestion in the sidebar and the demo organizations in the catalog', async ({
  page,
}) => {
  await page.goto('/');

  await page.getByRole('button', { name: 'finance-analyst' }).click();

  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  const ingestionLink = nav.getByRole('link', { name: 'Ingestion' });
  await expect(ingestionLink).toBeVisible();
  await ingestionLink.click();

  await expect(page.getByText('My organizations')).toBeVisible();
  const table = page.getByRole('table');
  await expect(table.getByText('FIN-001')).toBeVisible();
  await expect(table.getByText('analyst')).toBeVisible();
  await expect(table.getByText('RET-001')).toHaveCount(0);

  await page.goto('/catalog/default/group/finance');
  await expect(page.getByText('The Finance organization')).toBeVisible();
  await page.goto('/catalog/default/user/finance-analyst');
  await expect(page.getByText('finance-analyst@example.com')).toBeVisible();
});
