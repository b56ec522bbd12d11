// The install test's checks against a running portal backend (which also serves the built app).
//
//   node checks.mjs BASE_URL member     the guest is the example org's user:default/guest, an
//                                       admin of organization finance
//   node checks.mjs BASE_URL non-member the guest is create-app's user:development/guest
//
// With INSTALL_TEST_FRONTEND=legacy the member's checks also open the organization's System page
// of the legacy app and wait for its cost card.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [base, who] = process.argv.slice(2);

function fail(message) {
  console.error(`FAILED: ${message}`);
  process.exit(1);
}

/** Retries `fn` until it returns a value (not undefined) or the time is up. */
async function eventually(what, fn, seconds = 180) {
  const deadline = Date.now() + seconds * 1000;
  let last;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) fail(`${what}${last ? `: ${last}` : ''}`);
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
}

async function get(path, token) {
  const res = await fetch(`${base}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

async function guestToken() {
  const res = await fetch(`${base}/api/auth/guest/refresh?env=development`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  if (!res.ok) throw new Error(`guest sign-in: ${res.status}`);
  const { backstageIdentity } = await res.json();
  return backstageIdentity.token;
}

function ok(message) {
  console.log(`ok: ${message}`);
}

const health = await eventually('backend readiness', async () => {
  const r = await get('/.backstage/health/v1/readiness');
  return r.status === 200 ? r : undefined;
});
ok(`backend ready (${JSON.stringify(health.body)})`);

const ingestionHealth = await get('/api/ingestion/v1/health');
if (ingestionHealth.status !== 200 || ingestionHealth.body.status !== 'ok') {
  fail(
    `/api/ingestion/v1/health: ${ingestionHealth.status} ${JSON.stringify(
      ingestionHealth.body,
    )}`,
  );
}
ok('/api/ingestion/v1/health is ok');

if (who === 'member') {
  // The guest is user:default/guest once the catalog holds the example org.
  const orgs = await eventually(
    'the member sees organization finance',
    async () => {
      const r = await get(
        '/api/ingestion/v1/organizations',
        await guestToken(),
      );
      return r.status === 200 && r.body.items?.some(o => o.id === 'finance')
        ? r.body.items
        : undefined;
    },
  );
  ok(
    `member's organizations: ${orgs
      .map(o => `${o.id} (${o.roles?.join(', ') ?? o.role ?? ''})`)
      .join(', ')}`,
  );

  const token = await guestToken();
  const system = await eventually(
    'the provider puts system:finance/finance-data-platform in the catalog',
    async () => {
      const r = await get(
        '/api/catalog/entities/by-name/system/finance/finance-data-platform',
        token,
      );
      return r.status === 200 ? r.body : undefined;
    },
  );
  ok(
    `catalog holds ${system.kind}:${system.metadata.namespace}/${system.metadata.name} (managed by ${system.metadata.annotations['backstage.io/managed-by-location']})`,
  );

  const template = await eventually(
    'the scaffolder module registers the templates',
    async () => {
      const r = await get(
        '/api/catalog/entities/by-name/template/default/batch-database-to-iceberg',
        token,
      );
      return r.status === 200 ? r.body : undefined;
    },
  );
  const publish = template.spec.steps
    .map(s => s.action)
    .filter(a => /publish/.test(a));
  if (
    !template.metadata.annotations['backstage.io/managed-by-location'].includes(
      'node_modules',
    )
  ) {
    fail(
      `template not read from node_modules: ${template.metadata.annotations['backstage.io/managed-by-location']}`,
    );
  }
  ok(
    `template batch-database-to-iceberg registered from node_modules, publishing with ${publish.join(
      ', ',
    )}`,
  );

  const actions = await get('/api/scaffolder/v2/actions', token);
  const ids = (actions.body ?? [])
    .map(a => a.id)
    .filter(id => id.startsWith('ingestion:'));
  for (const id of [
    'ingestion:pipeline:create',
    'ingestion:pipeline:register',
    'ingestion:databricks:deploy',
    'ingestion:repo:publish',
  ]) {
    if (!ids.includes(id))
      fail(`/api/scaffolder/v2/actions lacks ${id} (has ${ids.join(', ')})`);
  }
  ok(`scaffolder actions: ${ids.join(', ')}`);

  // The Ingestion page in Chromium: sign in as the guest, open /ingestion, see the organization.
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  try {
    const page = await browser.newPage({
      viewport: { width: 1440, height: 900 },
    });
    const errors = [];
    page.on('pageerror', e => errors.push(String(e)));
    await page.goto(base, { timeout: 120_000 });
    await page
      .getByRole('button', { name: 'Enter' })
      .click({ timeout: 120_000 });
    await page
      .getByRole('navigation', { name: 'sidebar nav' })
      .waitFor({ state: 'attached', timeout: 120_000 });
    await page.goto(`${base}/ingestion`, { timeout: 120_000 });
    await page
      .getByRole('heading', { name: 'Ingestion' })
      .first()
      .waitFor({ timeout: 120_000 });
    await page.getByText('Finance').first().waitFor({ timeout: 120_000 });
    await page.screenshot({
      path: process.env.SCREENSHOT ?? '/tmp/ingestion-install-test.png',
    });
    if (errors.length > 0) fail(`page errors: ${errors.join('\n')}`);
    ok('the Ingestion page renders in Chromium with organization Finance');
    if (process.env.INSTALL_TEST_FRONTEND === 'legacy') {
      // EntityPage.tsx's systemPage, with the README's cost card for an organization's System.
      await page.goto(`${base}/catalog/finance/system/finance-data-platform`, {
        timeout: 120_000,
      });
      await page
        .getByText('Organization spend')
        .first()
        .waitFor({ timeout: 120_000 });
      await page.screenshot({
        path: (
          process.env.SCREENSHOT ?? '/tmp/ingestion-install-test.png'
        ).replace(/\.png$/, '-system-cost-card.png'),
      });
      if (errors.length > 0) fail(`page errors: ${errors.join('\n')}`);
      ok("the legacy app's System page shows the organization's cost card");
    }
  } finally {
    await browser.close();
  }
} else {
  const token = await guestToken();
  const orgs = await get('/api/ingestion/v1/organizations', token);
  if (orgs.status !== 200 || orgs.body.items.length !== 0) {
    fail(
      `the non-member sees organizations: ${orgs.status} ${JSON.stringify(
        orgs.body,
      )}`,
    );
  }
  ok("non-member's organizations: none");
  const pipelines = await get(
    '/api/ingestion/v1/pipelines?organization=finance',
    token,
  );
  if (
    ![403, 404].includes(pipelines.status) &&
    !(pipelines.status === 200 && pipelines.body.items?.length === 0)
  ) {
    fail(`the non-member lists finance's pipelines: ${pipelines.status}`);
  }
  ok(`non-member asking for finance's pipelines: ${pipelines.status}`);
  // The provider has put the System in the catalog (the member phase saw it); its organization's
  // entities are visible to its members only.
  const system = await get(
    '/api/catalog/entities/by-name/system/finance/finance-data-platform',
    token,
  );
  if (system.status !== 404) {
    fail(`the non-member reads finance's System: ${system.status}`);
  }
  ok("non-member does not see finance's System in the catalog (404)");
}
