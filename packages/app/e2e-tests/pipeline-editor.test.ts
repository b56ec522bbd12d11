import { test, expect } from '@playwright/test';
import { BACKEND, shot, signIn, tokenOf } from './support/demo';

/**
 * Issue 16's pipeline editor in the running portal: a finance engineer opens the demo pipeline,
 * edits its filter in the form, previews the draft on a sample (output rows and each quality
 * rule), saves the next version after its diff, and runs it; a finance viewer gets no Edit button
 * (and a denied editor at its URL); a retail user gets "not found". With E2E_SCREENSHOTS=<dir> the
 * pages are also saved as PNGs to look at. The demo pipeline's spec is restored afterwards.
 */

const API = `${BACKEND}/api/ingestion/v1`;
const PIPELINE = 'daily-transactions';
const NEW_FILTER = "amount > 10 AND status <> 'refunded'";
const FINAL = ['succeeded', 'failed', 'quality_failed', 'cancelled'];

test("a finance engineer edits the demo pipeline's filter, previews it, saves the next version after its diff and runs it; a viewer cannot edit; a retail user gets not found", async ({
  browser,
  request,
}) => {
  // The demo pipelines are seeded in the background on first start; the run takes a while.
  test.setTimeout(420_000);
  const headers = {
    Authorization: `Bearer ${await tokenOf(request, 'finance-engineer')}`,
  };

  // The seeded demo pipeline, once its first run is over (so versions and runs are settled).
  let pipelineId = '';
  await expect
    .poll(
      async () => {
        const res = await request.get(`${API}/pipelines`, {
          headers,
          params: { organization: 'finance', q: PIPELINE },
        });
        const found = ((await res.json()) as any).items?.find(
          (p: any) => p.name === PIPELINE,
        );
        if (!found) return 'not seeded';
        pipelineId = found.id;
        const runs = await request.get(`${API}/pipelines/${pipelineId}/runs`, {
          headers,
        });
        const items = ((await runs.json()) as any).items ?? [];
        return items.some((r: any) => FINAL.includes(r.status))
          ? 'ran'
          : 'running';
      },
      { timeout: 180_000, intervals: [2_000] },
    )
    .toBe('ran');
  const original = (await (
    await request.get(`${API}/pipelines/${pipelineId}`, { headers })
  ).json()) as any;
  const next = original.currentVersion + 1;

  let savedVersion: number | undefined;
  try {
    const finance = await signIn(browser, 'finance-engineer');
    await finance.goto(`/ingestion/pipelines/${pipelineId}`);
    await expect(
      finance.getByRole('heading', { name: PIPELINE }),
    ).toBeVisible();
    await finance.getByRole('button', { name: 'Edit' }).click();
    await expect(finance).toHaveURL(
      new RegExp(`/ingestion/pipelines/${pipelineId}/edit$`),
    );
    await expect(
      finance.getByRole('heading', { name: `Edit ${PIPELINE}` }),
    ).toBeVisible();

    // Drag and drop with the keyboard (dnd-kit's keyboard sensor): the filter goes below the
    // aggregate, and back with the move button.
    const handle = finance.getByRole('button', { name: /^Drag transform 1/ });
    await handle.focus();
    // dnd-kit listens for the arrows once the pick-up is announced (its live region).
    await finance.keyboard.press('Space');
    await expect(
      finance.getByText(
        /Picked up draggable item|was moved over droppable area transformations-0\./,
      ),
    ).toBeAttached();
    await finance.keyboard.press('ArrowDown');
    await expect(
      finance.getByText(/was moved over droppable area transformations-1/),
    ).toBeAttached();
    await finance.keyboard.press('Space');
    await expect(
      finance.getByText(/was dropped over droppable area transformations-1/),
    ).toBeAttached();
    await expect(
      finance
        .getByRole('group', { name: 'transform 2' })
        .getByLabel('Condition'),
    ).toBeVisible();
    await expect(
      finance
        .getByRole('group', { name: 'transform 1' })
        .getByLabel('Group by'),
    ).toBeVisible();
    await finance.getByRole('button', { name: 'Move transform 2 up' }).click();
    await expect(
      finance
        .getByRole('group', { name: 'transform 2' })
        .getByLabel('Group by'),
    ).toBeVisible();

    // The filter is the first transform; the form field is labelled and holds the demo's condition.
    const filter = finance
      .getByRole('group', { name: 'transform 1' })
      .getByLabel('Condition');
    await expect(filter).toHaveValue(
      String(original.spec.transformations[0].condition),
    );
    await filter.fill(NEW_FILTER);
    // Checked by the server as the user types.
    await expect(
      finance.getByText('No problems: the server accepts this spec.'),
    ).toBeVisible({ timeout: 15_000 });
    // The YAML view follows the form.
    await finance.getByRole('tab', { name: 'YAML' }).click();
    await expect(finance.getByLabel('Spec (YAML)')).toHaveValue(
      /condition: amount > 10 AND status <> 'refunded'/,
    );
    await finance.getByRole('tab', { name: 'Form' }).click();

    // Preview on a sample: the local engine runs the draft on the first rows of the CSV.
    await finance.getByRole('button', { name: 'Preview on a sample' }).click();
    const summary = finance.getByLabel('Preview summary');
    await expect(summary).toBeVisible({ timeout: 60_000 });
    await expect(summary).toContainText(/Read [\d,]+ rows? from the source/);
    await expect(
      finance.getByText('Quality rules on the sample'),
    ).toBeVisible();
    await expect(
      finance.getByRole('row').filter({ hasText: 'completeness' }).first(),
    ).toContainText(/Passed|Failed/);
    await expect(finance.getByText(/^Output rows \(/)).toBeVisible();
    await shot(finance, 'editor-preview');

    // Saving shows the diff against the current version first.
    await finance.getByRole('button', { name: 'Review and save' }).click();
    const dialog = finance.getByRole('dialog');
    await expect(dialog.getByText(`Save version ${next}?`)).toBeVisible();
    const diff = dialog.getByLabel(
      `Diff of version ${original.currentVersion} and the draft`,
    );
    await expect(diff).toContainText(`condition: ${NEW_FILTER}`);
    await expect(diff).toContainText(
      `condition: ${original.spec.transformations[0].condition}`,
    );
    await dialog
      .getByLabel('Comment (for the version history)')
      .fill('editor browser test: larger amounts only');
    await shot(finance, 'editor-diff');
    await dialog.getByRole('button', { name: `Save version ${next}` }).click();
    savedVersion = next;

    // Back on the pipeline page, at its versions.
    await expect(finance).toHaveURL(
      new RegExp(`/ingestion/pipelines/${pipelineId}\\?tab=versions$`),
    );
    await expect(
      finance.getByText('editor browser test: larger amounts only'),
    ).toBeVisible();
    const savedRes = await request.get(`${API}/pipelines/${pipelineId}`, {
      headers,
    });
    expect(savedRes.status(), await savedRes.text()).toBe(200);
    const saved = (await savedRes.json()) as any;
    expect(saved.currentVersion).toBe(next);
    expect(saved.spec.transformations[0].condition).toBe(NEW_FILTER);

    // And runs it.
    await finance.getByRole('tab', { name: 'Runs' }).click();
    await finance.getByRole('button', { name: 'Run now' }).click();
    await expect(finance.getByText(/Run now: run .* is /)).toBeVisible();
    let run: any;
    await expect
      .poll(
        async () => {
          const res = await request.get(`${API}/pipelines/${pipelineId}/runs`, {
            headers,
          });
          run = (((await res.json()) as any).items ?? []).find(
            (r: any) => r.pipelineVersion === next,
          );
          return run?.status ?? 'none';
        },
        { timeout: 180_000, intervals: [2_000] },
      )
      .toBe('succeeded');
    // The runs list shows it (fetched again when its tab opens).
    await finance.getByRole('tab', { name: 'Versions' }).click();
    await finance.getByRole('tab', { name: 'Runs' }).click();
    await expect(
      finance
        .getByRole('row')
        .filter({ hasText: 'succeeded' })
        .filter({ hasText: `${run.trigger} by ${run.triggeredBy}` })
        .first(),
    ).toBeVisible();
    await shot(finance, 'editor-run');

    // A viewer reads the pipeline but gets no Edit button, and the editor's URL is denied.
    const viewer = await signIn(browser, 'finance-viewer');
    await viewer.goto(`/ingestion/pipelines/${pipelineId}`);
    await expect(viewer.getByRole('heading', { name: PIPELINE })).toBeVisible();
    await expect(viewer.getByRole('tab', { name: 'Versions' })).toBeVisible();
    // The permission decision has come back once the page is quiet.
    await viewer.waitForLoadState('networkidle');
    await expect(viewer.getByRole('button', { name: 'Edit' })).toHaveCount(0);
    await viewer.goto(`/ingestion/pipelines/${pipelineId}/edit`);
    await expect(
      viewer.getByText('You cannot edit this pipeline'),
    ).toBeVisible();
    await expect(viewer.getByLabel('Spec (YAML)')).toHaveCount(0);
    await shot(viewer, 'editor-viewer-denied');

    // Another organization's user learns nothing.
    const retail = await signIn(browser, 'retail-analyst');
    await retail.goto(`/ingestion/pipelines/${pipelineId}/edit`);
    await expect(retail.getByText('Not found')).toBeVisible();
    await expect(retail.getByText(PIPELINE)).toHaveCount(0);
    await shot(retail, 'editor-retail-not-found');
  } finally {
    // The demo pipeline's own spec back for the other browser tests (best effort).
    if (savedVersion !== undefined) {
      await request
        .put(`${API}/pipelines/${pipelineId}`, {
          headers,
          data: {
            expectedVersion: savedVersion,
            spec: original.spec,
            comment: 'editor browser test: restored',
          },
        })
        .catch(() => undefined);
    }
  }
});
