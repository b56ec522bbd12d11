import { test, expect, type Page } from '@playwright/test';
import { BACKEND, signInPage, tokenOf } from './support/demo';

/**
 * Issue 7's "done when" in the running portal: a demo finance engineer creates a pipeline from
 * the files-to-iceberg template on the Create page (it runs fully locally: the demo's sample files,
 * a bare repository under the organization's storage, the local engine), sees its estimated cost on
 * the review page before Create, and the pipeline is then in the ingestion API and the catalog. A
 * demo finance analyst is offered no organization, and the template's first action refuses them.
 */

const TEMPLATE = 'files-to-iceberg';
// The storage (and its repositories) outlives the portal's in-memory database: a name per run.
const PIPELINE = `e2e-files-${Date.now().toString(36)}`;

async function chooseTemplate(page: Page) {
  await page.goto('/create');
  // The innermost card with the template's title (the cards' containers match too, and come first).
  const card = page
    .locator('.MuiCard-root')
    .filter({ hasText: 'Files to Iceberg (batch)' })
    .last();
  await expect(card).toBeVisible();
  await card.getByRole('button', { name: 'Choose' }).click();
  await expect(page).toHaveURL(
    /\/create\/templates\/default\/files-to-iceberg/,
  );
}

/** Polls until `fn` returns a value (the catalog picks pipelines up within seconds). */
async function eventually<T>(
  fn: () => Promise<T | undefined>,
  what: string,
): Promise<T> {
  let last: T | undefined;
  await expect
    .poll(
      async () => {
        last = await fn();
        return last !== undefined;
      },
      { message: what, timeout: 60_000 },
    )
    .toBe(true);
  return last as T;
}

test('a finance engineer sees the estimated cost, creates a pipeline, and finds it in the API and the catalog', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  await signInPage(page, 'finance-engineer');
  await chooseTemplate(page);

  // Pipeline: the only organization where the engineer may create pipelines is chosen already.
  await expect(page.getByText(/^Left now:/)).toBeVisible();
  await page.locator('#root_name').fill(PIPELINE);
  await page.getByRole('button', { name: 'Next' }).click();

  // Files: the demo's sample transactions under the organization's storage.
  await page.locator('#root_path').fill('raw/transactions/*.csv');
  await page.getByRole('button', { name: 'Next' }).click();

  // Clean and check: a completeness rule.
  await page.getByRole('button', { name: 'Next' }).click();

  // Target and schedule.
  await page.locator('#root_targetTable').fill(PIPELINE.replace(/-/g, '_'));
  await page.getByRole('button', { name: 'Next' }).click();

  // Review: the estimate before Create.
  await expect(page.getByText('Cost per run')).toBeVisible();
  await expect(page.getByText('Cost per month')).toBeVisible();
  await expect(page.getByText('Budget left this month')).toBeVisible();
  await expect(page.getByText(/^Assumptions: /)).toBeVisible();
  await expect(
    page.getByRole('row', { name: /Cluster .* × i3\.xlarge \(batch\)/ }),
  ).toBeVisible();
  // The form's last button (the stepper's labels are not buttons, but keep to the last one).
  await page
    .getByRole('button', { name: 'Review', exact: true })
    .last()
    .click();
  await page.getByRole('button', { name: 'Create' }).click();

  // The task runs every step; its output links the pipeline and the catalog entity.
  await expect(page.getByRole('link', { name: 'Open in catalog' })).toBeVisible(
    { timeout: 180_000 },
  );

  const token = await tokenOf(request, 'finance-engineer');
  const headers = { Authorization: `Bearer ${token}` };
  const list = await request.get(`${BACKEND}/api/ingestion/v1/pipelines`, {
    headers,
    params: { organization: 'finance', q: PIPELINE },
  });
  expect(list.status()).toBe(200);
  const [pipeline] = ((await list.json()) as any).items;
  expect(pipeline).toMatchObject({
    name: PIPELINE,
    organization: 'finance',
    owner: 'user:default/finance-engineer',
    currentVersion: 1,
  });

  const entity = await eventually(async () => {
    const res = await request.get(
      `${BACKEND}/api/catalog/entities/by-name/component/finance/${PIPELINE}`,
      { headers },
    );
    return res.status() === 200 ? ((await res.json()) as any) : undefined;
  }, 'the pipeline in the catalog');
  expect(entity.spec.type).toBe('data-pipeline');
  expect(entity.metadata.annotations).toMatchObject({
    'ingestion.backstage.io/organization': 'finance',
    'ingestion.backstage.io/pipeline-id': pipeline.id,
  });
  await page.getByRole('link', { name: 'Open in catalog' }).click();
  await expect(page.getByText(PIPELINE).first()).toBeVisible();
});

test('a finance analyst is offered no organization, and the template refuses them with a clear message', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  await signInPage(page, 'finance-analyst');
  await chooseTemplate(page);
  await expect(
    page.getByText(
      'You are not an engineer or an admin in any organization. Ask an admin of your organization for the role.',
    ),
  ).toBeVisible();

  // Past the form (through the API), the first action refuses and nothing is created.
  const token = await tokenOf(request, 'finance-analyst');
  const headers = { Authorization: `Bearer ${token}` };
  const created = await request.post(`${BACKEND}/api/scaffolder/v2/tasks`, {
    headers,
    data: {
      templateRef: `template:default/${TEMPLATE}`,
      values: {
        organization: 'finance',
        name: `${PIPELINE}-analyst`,
        path: 'raw/transactions/*.csv',
        format: 'csv',
        targetSchema: 'raw',
        targetTable: 'analyst_attempt',
        mode: 'append',
      },
    },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  await eventually(async () => {
    const res = await request.get(`${BACKEND}/api/scaffolder/v2/tasks/${id}`, {
      headers,
    });
    const { status } = (await res.json()) as { status: string };
    return ['completed', 'failed'].includes(status) ? status : undefined;
  }, 'the task to end');
  const task = (await (
    await request.get(`${BACKEND}/api/scaffolder/v2/tasks/${id}`, { headers })
  ).json()) as { status: string };
  expect(task.status).toBe('failed');
  const events = (await (
    await request.get(`${BACKEND}/api/scaffolder/v2/tasks/${id}/events`, {
      headers,
    })
  ).json()) as Array<{ body: { message?: string } }>;
  expect(events.map(e => e.body.message ?? '').join('\n')).toContain(
    "You cannot create pipelines in organization 'finance': that needs the engineer or admin role, and your role is analyst",
  );
  const pipelines = await request.get(`${BACKEND}/api/ingestion/v1/pipelines`, {
    headers,
    params: { organization: 'finance', q: `${PIPELINE}-analyst` },
  });
  expect(((await pipelines.json()) as any).items).toEqual([]);
});
