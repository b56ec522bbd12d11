import { readFile } from 'node:fs/promises';
import { test, expect } from '@playwright/test';
import { BACKEND, shot, signIn, tokenOf, visit } from './support/demo';

/**
 * Issue 14's "done when", in the running portal: after a local run of a finance pipeline, the
 * finance team lead sees the team's cost card with a non-zero month to date on the finance
 * group's page, and downloads the month's chargeback as CSV from the cost page; a retail user
 * sees neither. The demo has no "team lead" role: the lead is finance-engineer, whose engineer
 * role reads costs (the cost page is open to admins, engineers and analysts; budgets are set by
 * admins). With E2E_SCREENSHOTS=<dir> the pages are also saved as PNGs to look at.
 */

const PIPELINE = 'daily-transactions';
const TEAM_PAGE = '/catalog/default/group/finance';
const COST_PAGE = '/ingestion/costs?organization=finance';

const QUICK = { timeout: 20_000 };

/** `$1,234.56` → 1234.56. */
const amountOf = (text: string) => Number(text.replace(/[^0-9.-]/g, ''));

test('a finance team lead sees the team cost card after a local run and downloads the chargeback CSV; a retail user sees neither', async ({
  browser,
  request,
}) => {
  test.setTimeout(420_000);
  const headers = {
    Authorization: `Bearer ${await tokenOf(request, 'finance-engineer')}`,
  };

  // A local run of finance's demo pipeline (seeded in the background on first start).
  let pipeline: { id: string } | undefined;
  await expect
    .poll(
      async () => {
        const res = await request.get(`${BACKEND}/api/ingestion/v1/pipelines`, {
          headers,
          params: { organization: 'finance' },
        });
        pipeline = ((await res.json()) as any).items?.find(
          (p: { name: string }) => p.name === PIPELINE,
        );
        return Boolean(pipeline);
      },
      { timeout: 180_000, message: `demo pipeline ${PIPELINE}` },
    )
    .toBe(true);
  const triggered = await request.post(
    `${BACKEND}/api/ingestion/v1/pipelines/${pipeline!.id}/runs`,
    { headers, data: {} },
  );
  expect(triggered.status()).toBe(202);
  const runId = ((await triggered.json()) as any).id as string;
  let finished: { status: string; cost?: number } | undefined;
  await expect
    .poll(
      async () => {
        const res = await request.get(
          `${BACKEND}/api/ingestion/v1/runs/${runId}`,
          { headers },
        );
        finished = (await res.json()) as any;
        return finished?.status;
      },
      { timeout: 180_000, message: `run ${runId} succeeds` },
    )
    .toBe('succeeded');
  // The local engine's measured CPU and memory cost something.
  expect(finished?.cost ?? 0).toBeGreaterThan(0);

  // The finance group's page: the team's cost card with a non-zero month to date.
  const lead = await signIn(browser, 'finance-engineer');
  await visit(lead, TEAM_PAGE, () =>
    expect(lead.getByText('Month to date')).toBeVisible(QUICK),
  );
  const monthToDate = lead
    .getByText('Month to date', { exact: true })
    .locator('xpath=following-sibling::*[1]');
  await expect(monthToDate).toHaveText(/^\$[\d,]+\.\d{2}/);
  expect(amountOf(await monthToDate.innerText())).toBeGreaterThan(0);
  await expect(
    lead.getByRole('table', { name: 'Top pipelines this month' }),
  ).toBeVisible();
  await shot(lead, 'costs-team-lead-card');

  // The cost page, from the card: the month's chargeback by team downloads as CSV.
  await lead.getByRole('link', { name: /Open the cost page/ }).click();
  await expect(lead).toHaveURL(/\/ingestion\/costs\?organization=finance$/);
  await expect(lead.getByText('Chargeback', { exact: true })).toBeVisible();
  await expect(lead.getByText(/^Total \$[\d,]+\.\d{2}$/).first()).toBeVisible();
  await lead.getByRole('button', { name: /^By/ }).click();
  await lead.getByRole('option', { name: 'Team' }).click();
  const month = new Date().toISOString().slice(0, 7);
  const [download] = await Promise.all([
    lead.waitForEvent('download'),
    lead.getByRole('button', { name: 'Download CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(
    `chargeback-finance-${month}-by-team.csv`,
  );
  const csv = await readFile((await download.path())!, 'utf8');
  const lines = csv.trim().split(/\r?\n/);
  expect(lines[0]).toBe('organization,month,team,service_type,amount,currency');
  const rows = lines.slice(1).map(line => line.split(','));
  const total = rows.find(r => r[2] === 'TOTAL');
  expect(total, 'the TOTAL line').toBeDefined();
  expect(Number(total![4])).toBeGreaterThan(0);
  const lineSum = rows
    .filter(r => r[2] !== 'TOTAL')
    .reduce((sum, r) => sum + Number(r[4]), 0);
  expect(lineSum).toBeGreaterThan(0);
  expect(Math.abs(lineSum - Number(total![4]))).toBeLessThan(0.01);
  await shot(lead, 'costs-team-lead-page');

  // An admin may set budgets; a viewer is a member without a cost role: no card, a denied page.
  const admin = await signIn(browser, 'finance-admin');
  await visit(admin, COST_PAGE, () =>
    expect(admin.getByRole('button', { name: 'Set a budget' })).toBeVisible(
      QUICK,
    ),
  );
  await shot(admin, 'costs-finance-admin-page');
  await expect(lead.getByRole('button', { name: 'Set a budget' })).toHaveCount(
    0,
  );
  const viewer = await signIn(browser, 'finance-viewer');
  await visit(viewer, COST_PAGE, () =>
    expect(
      viewer.getByText(
        /You need the admin, engineer or analyst role in Finance to see its spend/,
      ),
    ).toBeVisible(QUICK),
  );
  await expect(viewer.getByText('Chargeback', { exact: true })).toHaveCount(0);
  // The card asks for the summary, is refused (a viewer may not read costs) and renders nothing.
  await visit(viewer, TEAM_PAGE, async () => {
    const answer = viewer.waitForResponse(r =>
      r.url().includes('/api/ingestion/v1/costs/summary'),
    );
    await viewer.reload();
    expect((await answer).status()).toBe(403);
    await expect(viewer.getByText(/Finance members/)).toBeVisible(QUICK);
  });
  await expect(viewer.getByText('Month to date')).toHaveCount(0);
  await expect(viewer.getByText('Team spend')).toHaveCount(0);
  await shot(viewer, 'costs-finance-viewer-card');

  // A retail user: neither the card's figures nor the page's data, and 404 from the API.
  const retailHeaders = {
    Authorization: `Bearer ${await tokenOf(request, 'retail-analyst')}`,
  };
  const summary = await request.get(
    `${BACKEND}/api/ingestion/v1/costs/summary`,
    {
      headers: retailHeaders,
      params: { organization: 'finance' },
    },
  );
  expect(summary.status()).toBe(404);
  const retail = await signIn(browser, 'retail-analyst');
  await visit(retail, TEAM_PAGE, () =>
    expect(retail.getByText(/not found|does not exist/i).first()).toBeVisible(
      QUICK,
    ),
  );
  await expect(retail.getByText('Team spend')).toHaveCount(0);
  await expect(retail.getByText('Month to date')).toHaveCount(0);
  await shot(retail, 'costs-retail-card');
  await visit(retail, COST_PAGE, () =>
    expect(retail.getByText('Not found')).toBeVisible(QUICK),
  );
  await expect(retail.getByText('Chargeback', { exact: true })).toHaveCount(0);
  await expect(
    retail.getByRole('button', { name: 'Download CSV' }),
  ).toHaveCount(0);
  await shot(retail, 'costs-retail-page');
});
