import { test, expect, type Page } from '@playwright/test';
import { shot, signIn } from './support/demo';

/**
 * Issue 15's admin console in the running portal: finance's admin creates a connection to the
 * MariaDB the demo allow-lists for finance (the egress guard refuses anything else), rotates its
 * secret, tests it and finds the rotation in the audit log; a finance engineer is denied the
 * console; a platform admin switches between every organization; a retail admin sees none of
 * finance's console (no finance in the switcher, and finance's URL reads "not found"). With
 * E2E_SCREENSHOTS=<dir> the pages are also saved as PNGs to look at.
 */

const CONSOLE = '/ingestion/admin';

/** The organization switcher (a Material UI select) and the organizations it offers. */
async function switcherOptions(page: Page) {
  await page.locator('header [aria-haspopup="listbox"]').click();
  const options = await page.getByRole('option').allInnerTexts();
  await page.keyboard.press('Escape');
  return options;
}

test('finance-admin rotates a connection and finds the rotation in the audit log; others see only their own console', async ({
  browser,
}) => {
  test.setTimeout(360_000);
  const name = `e2e-admin-${Date.now().toString(36)}`;

  // finance-admin: from the Ingestion home to the console.
  const admin = await signIn(browser, 'finance-admin');
  await admin.goto('/ingestion');
  await admin.getByText('Admin console', { exact: true }).click();
  await expect(admin).toHaveURL(/\/ingestion\/admin/);
  await expect(
    admin.getByRole('tab', { name: 'Members and roles' }),
  ).toHaveAttribute('aria-selected', 'true');
  await expect(admin.getByText(/identity\s+provider maintains/)).toBeVisible();
  // Catalog links show the entities' titles: the group "Finance admins", its member "Finance Admin".
  const admins = admin
    .getByRole('row')
    .filter({ hasText: /^admin/ })
    .first();
  await expect(
    admins.getByRole('link', { name: 'Finance admins' }),
  ).toBeVisible({ timeout: 60_000 });
  await expect(
    admins.getByRole('link', { name: 'Finance Admin', exact: true }),
  ).toBeVisible();
  await shot(admin, 'admin-members-finance-admin');

  // Connections: create one through the form (the secret only in a password input).
  await admin.getByRole('tab', { name: 'Connections' }).click();
  await admin.getByRole('button', { name: 'New connection' }).click();
  const form = admin.getByRole('form', { name: 'New connection' });
  await form.getByRole('button', { name: 'Create' }).click();
  await expect(form.getByText(/Lower-case letter, then/)).toBeVisible();
  await form.getByLabel(/^Name/).fill(name);
  await form.getByLabel(/^Host/).fill('127.0.0.1');
  await form.getByLabel(/^Port/).fill('3306');
  await form.getByLabel(/^Database/).fill('finance');
  await form.getByLabel(/^User/).fill('root');
  await expect(form.getByLabel(/^Password/)).toHaveAttribute(
    'type',
    'password',
  );
  await form.getByLabel(/^Password/).fill('first-secret');
  await form.getByRole('button', { name: 'Create' }).click();
  await expect(form).toHaveCount(0);
  const row = admin.getByRole('row').filter({ hasText: name });
  await expect(row).toBeVisible();
  await expect(row).toContainText('root@127.0.0.1:3306/finance');
  await expect(row).toContainText('set (write-only)');
  await expect(row).toContainText('never');

  // Rotate its secret.
  await admin.getByRole('button', { name: `Rotate ${name}` }).click();
  const rotate = admin.getByRole('form', { name: 'Rotate secret' });
  await rotate.getByLabel(/New password/).fill('second-secret');
  await rotate.getByRole('button', { name: 'Rotate' }).click();
  await expect(admin.getByText(`Secret of ${name} rotated.`)).toBeVisible();
  await expect(row).not.toContainText('never');

  // Test it: the result shows, whatever the database answers.
  await admin.getByRole('button', { name: `Test ${name}` }).click();
  await expect(admin.getByRole('status')).toBeVisible({ timeout: 60_000 });
  await expect(admin.getByRole('dialog')).toContainText(
    /Connection works|Connection failed/,
  );
  await shot(admin, 'admin-connections-test-finance-admin');
  await admin.getByRole('button', { name: 'Close' }).click();
  await shot(admin, 'admin-connections-finance-admin');
  // The secrets typed are nowhere on the page.
  expect(await admin.content()).not.toContain('second-secret');

  // The rotation in the audit log, filtered on the server; open it.
  await admin.getByRole('tab', { name: 'Audit log' }).click();
  await admin.getByLabel('Action').fill('connection.rotate');
  await admin.getByLabel('Actor').fill('user:default/finance-admin');
  await admin.getByRole('button', { name: 'Apply' }).click();
  const event = admin
    .getByRole('row')
    .filter({ hasText: 'connection.rotate' })
    .first();
  await expect(event).toBeVisible();
  await expect(event).toContainText('user:default/finance-admin');
  await shot(admin, 'admin-audit-finance-admin');
  await event.getByRole('button', { name: /^Open/ }).click();
  const details = admin.getByRole('dialog');
  await expect(details).toContainText(name);
  await expect(details).toContainText('success');
  await shot(admin, 'admin-audit-event-finance-admin');
  await details.getByRole('button', { name: 'Close' }).click();

  // Quotas and usage.
  await admin.getByRole('tab', { name: 'Quotas and usage' }).click();
  await expect(admin.getByText('DBU per hour')).toBeVisible();
  await expect(admin.getByText(/of [\d,]+ DBU/)).toBeVisible();
  await shot(admin, 'admin-quotas-finance-admin');

  // Clean up through the UI: the delete dialog states the impact.
  await admin.getByRole('tab', { name: 'Connections' }).click();
  await admin.getByRole('button', { name: `Delete ${name}` }).click();
  await expect(admin.getByRole('dialog')).toContainText(
    'No pipeline reads through it.',
  );
  await admin
    .getByRole('dialog')
    .getByRole('button', { name: 'Delete' })
    .click();
  await expect(admin.getByRole('row').filter({ hasText: name })).toHaveCount(0);
  expect(await switcherOptions(admin)).toEqual(['Finance']);

  // finance-engineer administers nothing: no link, and the console says so.
  const engineer = await signIn(browser, 'finance-engineer');
  await engineer.goto('/ingestion');
  await expect(engineer.getByText('My organizations')).toBeVisible();
  await expect(
    engineer.getByText('Admin console', { exact: true }),
  ).toHaveCount(0);
  await engineer.goto(`${CONSOLE}?organization=finance`);
  await expect(
    engineer.getByText('You do not administer any organization'),
  ).toBeVisible();
  await shot(engineer, 'admin-denied-finance-engineer');

  // platform-admin administers every organization.
  const platform = await signIn(browser, 'platform-admin');
  await platform.goto(`${CONSOLE}?organization=retail&tab=quotas`);
  await expect(platform.getByText('DBU per hour')).toBeVisible();
  expect(await switcherOptions(platform)).toEqual(
    expect.arrayContaining(['Finance', 'Retail', 'Healthcare']),
  );
  await shot(platform, 'admin-quotas-platform-admin');

  // retail-admin: retail only; finance's console reads "not found".
  const retail = await signIn(browser, 'retail-admin');
  await retail.goto(CONSOLE);
  await expect(retail.getByText(/^Retail · cost center/)).toBeVisible();
  expect(await switcherOptions(retail)).toEqual(['Retail']);
  await expect(retail.getByRole('link', { name: 'Retail admins' })).toBeVisible(
    { timeout: 60_000 },
  );
  await expect(retail.getByText(/Finance/)).toHaveCount(0);
  await shot(retail, 'admin-members-retail-admin');
  await retail.goto(`${CONSOLE}?organization=finance&tab=connections`);
  await expect(retail.getByText('Not found')).toBeVisible();
  await expect(retail.getByRole('tab')).toHaveCount(0);
  await expect(retail.getByText(name)).toHaveCount(0);
  await shot(retail, 'admin-finance-url-retail-admin');
});
