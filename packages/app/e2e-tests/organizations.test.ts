import { test, expect, type Browser, type Page } from '@playwright/test';
import { shot, signIn } from './support/demo';

/**
 * Issue 15's organizations at run time in the running portal, without a restart: a platform
 * admin opens the organizations page from the Ingestion home and creates an organization whose
 * admins are `logistics-admins` (a demo group in the catalog that no organization names yet);
 * its System, and its engineers' role group that no catalog source defines, appear in the catalog; `logistics-admin` signs in and administers it (in My
 * organizations as admin, in the admin console); a retail user sees none of it; retiring it hides
 * it from its admin again. With E2E_SCREENSHOTS=<dir> the pages are also saved as PNGs.
 */

/** A page signed in as a demo user (a remembered one: see `signIn`), on the Ingestion home. */
async function signInRemembered(browser: Browser, user: string) {
  const page = await signIn(browser, user, {
    remembered: true,
    to: '/ingestion',
  });
  await expect(
    page.getByRole('heading', { name: 'Ingestion', exact: true }),
  ).toBeVisible({ timeout: 60_000 });
  return page;
}

/** The row of an organization in "My organizations" (empty when the user has none of it). */
const myOrganization = (page: Page, name: string) =>
  page.getByRole('row').filter({ hasText: name });

test('a platform admin creates an organization that its admins manage at once, and retires it', async ({
  browser,
}) => {
  test.setTimeout(420_000);
  const id = `logistics-${Date.now().toString(36)}`;
  const name = `Logistics ${id.slice('logistics-'.length)}`;
  const systemPath = `/catalog/${id}/system/${id}-data-platform`;

  // platform-admin: from the Ingestion home to the organizations page.
  const platform = await signInRemembered(browser, 'platform-admin');
  await expect(
    platform.getByText('Admin console', { exact: true }),
  ).toBeVisible();
  await shot(platform, 'organizations-home-platform-admin');
  // Backstage's LinkButton is a link with the role of a button.
  await platform.getByText('Organizations', { exact: true }).click();
  await expect(platform).toHaveURL(/\/ingestion\/organizations$/);
  const finance = platform.getByRole('row').filter({ hasText: 'FIN-001' });
  await expect(finance).toContainText('config seed');
  await expect(finance).toContainText('In service');
  await shot(platform, 'organizations-list-platform-admin');

  // Create it through the form: a refused field first, then the real thing.
  await platform.getByRole('button', { name: 'New organization' }).click();
  const form = platform.getByRole('dialog', { name: 'New organization' });
  await form.getByLabel(/^Id/).fill('Not An Id');
  await form.getByLabel(/^Name/).fill(name);
  await form.getByLabel(/^Cost center/).fill('LOG-001');
  await form.getByLabel(/^Owner group/).fill('group:default/logistics-admins');
  await form.getByLabel('Admin groups').fill('group:default/logistics-admins');
  // A group no catalog source defines: the catalog module emits it as a role group.
  await form
    .getByLabel('Engineer groups')
    .fill(`group:default/${id}-engineers`);
  await form.getByLabel(/^Storage root/).fill(`../../.data/orgs/${id}`);
  await form.getByLabel('Monthly budget (USD)').fill('1500');
  await form.getByRole('button', { name: 'Create' }).click();
  await expect(form.getByRole('alert')).toContainText('id');
  await shot(platform, 'organizations-form-error-platform-admin');
  await form.getByLabel(/^Id/).fill(id);
  await form.getByRole('button', { name: 'Create' }).click();
  await expect(form).toHaveCount(0);
  const row = platform.getByRole('row').filter({ hasText: id });
  await expect(row).toContainText('created here');
  await expect(row).toContainText('In service');
  await expect(row).toContainText('$1,500 / month');
  await shot(platform, 'organizations-created-platform-admin');

  // Its System is in the catalog, without a restart.
  await expect(async () => {
    await platform.goto(systemPath);
    await expect(
      platform.getByRole('heading', { name: `${name} data platform` }),
    ).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 120_000 });
  await shot(platform, 'organizations-system-platform-admin');
  // ... and so is its engineers' role group, which nothing else defines.
  await expect(async () => {
    await platform.goto(`/catalog/default/group/${id}-engineers`);
    await expect(
      platform.getByRole('heading', { name: `${name} engineers` }),
    ).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 120_000 });
  await shot(platform, 'organizations-role-group-platform-admin');

  // logistics-admin: an admin of it at once.
  const admin = await signInRemembered(browser, 'logistics-admin');
  await expect(async () => {
    await admin.reload();
    await expect(myOrganization(admin, name)).toContainText('admin', {
      timeout: 5_000,
    });
  }).toPass({ timeout: 60_000 });
  await admin.getByText('Admin console', { exact: true }).click();
  await expect(admin).toHaveURL(/\/ingestion\/admin/);
  await expect(admin.locator('header')).toContainText(name);
  await admin.getByRole('tab', { name: 'Connections' }).click();
  await expect(
    admin.getByRole('button', { name: 'New connection' }),
  ).toBeVisible();
  await shot(admin, 'organizations-console-logistics-admin');
  // ... and sees its System, which is its organization's alone.
  await admin.goto(systemPath);
  await expect(
    admin.getByRole('heading', { name: `${name} data platform` }),
  ).toBeVisible();
  // Not a platform admin: no organizations page for them.
  await admin.goto('/ingestion/organizations');
  await expect(admin.getByText('For platform admins')).toBeVisible();

  // retail-engineer: none of it.
  const retail = await signInRemembered(browser, 'retail-engineer');
  await expect(myOrganization(retail, 'RET-001')).toBeVisible();
  await expect(myOrganization(retail, name)).toHaveCount(0);
  await expect(retail.getByText('Admin console', { exact: true })).toHaveCount(
    0,
  );
  await expect(retail.getByText('Organizations', { exact: true })).toHaveCount(
    0,
  );
  await retail.goto('/ingestion/organizations');
  await expect(retail.getByText('For platform admins')).toBeVisible();
  await expect(retail.getByText(id)).toHaveCount(0);
  await retail.goto(systemPath);
  await expect(
    retail.getByRole('heading', { name: `${name} data platform` }),
  ).toHaveCount(0);
  await expect(retail.getByText(/not found/i).first()).toBeVisible();

  // Retire it: the platform admin still lists it; its admin no longer has it.
  await platform.goto('/ingestion/organizations');
  await platform.getByRole('button', { name: `Retire ${name}` }).click();
  const retire = platform.getByRole('dialog', { name: `Retire ${name}?` });
  await expect(retire).toContainText('Its data and audit log are kept');
  await retire.getByRole('button', { name: 'Retire' }).click();
  await expect(retire).toHaveCount(0);
  await expect(row).toContainText('Retired');
  await shot(platform, 'organizations-retired-platform-admin');
  await expect(async () => {
    await admin.goto('/ingestion');
    await expect(
      admin.getByRole('heading', { name: 'Ingestion', exact: true }),
    ).toBeVisible({ timeout: 10_000 });
    await expect(
      admin.getByText('You are not a member of any organization'),
    ).toBeVisible({
      timeout: 5_000,
    });
  }).toPass({ timeout: 60_000 });
  await expect(myOrganization(admin, name)).toHaveCount(0);
});
