import { test, expect, type APIRequestContext } from '@playwright/test';
import { BACKEND, signIn, tokenOf } from './support/demo';
import { mkdirSync } from 'node:fs';

/**
 * Issue 15's quality alert in the running portal: a finance pipeline's new version has a quality
 * rule that must fail; its run breaches it, and the owners of the pipeline downstream of its table
 * (finance analysts, who do not own the pipeline itself) find the notification in their inbox,
 * with its link to the pipeline's quality tab. A retail user gets no such notification.
 */

const API = `${BACKEND}/api/ingestion/v1`;
const PIPELINE = 'daily-transactions';
const DOWNSTREAM = 'daily-totals-alerts-e2e';
const DOWNSTREAM_OWNER = 'group:default/finance-analysts';
const UPSTREAM_OWNER = 'group:default/finance-engineers';
const TABLE = 'finance_catalog.analytics.daily_transactions';
const TITLE = new RegExp(
  `^${PIPELINE}: \\d+ quality rules? breached \\(run failed\\)$`,
);
const FINAL = ['succeeded', 'failed', 'quality_failed', 'cancelled'];
const SHOTS = '/tmp/shots';

/** A user's notifications, through the notifications backend. */
async function notificationsOf(request: APIRequestContext, token: string) {
  const res = await request.get(`${BACKEND}/api/notifications/notifications`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(res.status()).toBe(200);
  return ((await res.json()) as any).notifications.map(
    (n: { payload: { title: string; description?: string } }) => n.payload,
  ) as { title: string; description?: string }[];
}

test('a failing quality rule on a finance pipeline puts a notification in the downstream owner inbox; a retail user has none', async ({
  browser,
  request,
}) => {
  test.setTimeout(480_000);
  mkdirSync(SHOTS, { recursive: true });
  const headers = {
    Authorization: `Bearer ${await tokenOf(request, 'finance-engineer')}`,
  };

  // The demo pipeline, once its seeded run is over (a run in flight would hold the quota).
  let pipelineId = '';
  await expect
    .poll(
      async () => {
        const res = await request.get(`${API}/pipelines`, {
          headers,
          params: { organization: 'finance', q: PIPELINE },
        });
        pipelineId =
          ((await res.json()) as any).items?.find(
            (p: { name: string }) => p.name === PIPELINE,
          )?.id ?? '';
        if (!pipelineId) return 'not seeded';
        const runs = await request.get(`${API}/pipelines/${pipelineId}/runs`, {
          headers,
        });
        const items = ((await runs.json()) as any).items as {
          status: string;
        }[];
        return items.length > 0 && items.every(r => FINAL.includes(r.status))
          ? 'ready'
          : 'running';
      },
      { timeout: 180_000, message: 'the demo pipeline ran once' },
    )
    .toBe('ready');
  const original = (await (
    await request.get(`${API}/pipelines/${pipelineId}`, { headers })
  ).json()) as any;

  // A pipeline downstream of the demo table, owned by the finance analysts.
  const created = await request.post(`${API}/pipelines`, {
    headers,
    data: {
      organization: 'finance',
      name: DOWNSTREAM,
      owner: DOWNSTREAM_OWNER,
      description: 'Reads the daily transactions (alerts browser test)',
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
          table: 'daily_totals_alerts_e2e',
        },
      },
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const downstreamId = ((await created.json()) as any).id as string;
  await expect
    .poll(
      async () => {
        const res = await request.get(`${API}/lineage/graph`, {
          headers,
          params: {
            organization: 'finance',
            dataset: `iceberg:${TABLE}`,
            depth: '1',
          },
        });
        return ((await res.json()) as any).nodes?.map(
          (n: { name: string }) => n.name,
        );
      },
      { timeout: 60_000, message: 'the downstream pipeline is in the lineage' },
    )
    .toEqual(expect.arrayContaining([PIPELINE, DOWNSTREAM]));

  const adminHeaders = {
    Authorization: `Bearer ${await tokenOf(request, 'finance-admin')}`,
  };
  let savedVersion: number | undefined;
  try {
    // A new version owned by the engineers, with a rule no positive amount passes.
    const saved = await request.put(`${API}/pipelines/${pipelineId}`, {
      headers,
      data: {
        expectedVersion: original.currentVersion,
        owner: UPSTREAM_OWNER,
        comment: 'alerts browser test: a rule that must fail',
        spec: {
          ...original.spec,
          data_quality: [
            ...(original.spec.data_quality ?? []),
            { type: 'range', columns: ['amount'], max: 0, severity: 'fail' },
          ],
        },
      },
    });
    expect(saved.status(), await saved.text()).toBe(200);
    savedVersion = ((await saved.json()) as any).currentVersion as number;

    const triggered = await request.post(
      `${API}/pipelines/${pipelineId}/runs`,
      { headers, data: {} },
    );
    expect(triggered.status(), await triggered.text()).toBe(202);
    const runId = ((await triggered.json()) as any).id as string;
    await expect
      .poll(
        async () => {
          const res = await request.get(`${API}/runs/${runId}`, { headers });
          const status = ((await res.json()) as any).status as string;
          return FINAL.includes(status) ? status : 'in flight';
        },
        { timeout: 240_000, intervals: [2_000], message: 'the run finished' },
      )
      .toBe('quality_failed');

    // A finance analyst (downstream owner group, not the pipeline's owners) opens the inbox.
    const analyst = await signIn(browser, 'finance-analyst');
    await analyst.goto('/notifications');
    const link = analyst.getByRole('link', { name: TITLE });
    await expect(async () => {
      await analyst.reload();
      await expect(link).toBeVisible({ timeout: 5_000 });
    }).toPass({ timeout: 90_000 });
    await expect(link).toHaveAttribute(
      'href',
      `/ingestion/pipelines/${pipelineId}?tab=quality`,
    );
    // The description names the downstream pipeline (shown in full on "Show more").
    await analyst.getByText('Show more').first().click();
    await expect(
      analyst.getByText(new RegExp(`Downstream: .*${DOWNSTREAM}`)).first(),
    ).toBeVisible();
    // The sidebar's notifications item leads to the inbox.
    await expect(
      analyst
        .getByRole('navigation', { name: 'sidebar nav' })
        .getByRole('link', { name: 'Notifications' }),
    ).toHaveAttribute('href', '/notifications');
    await analyst.screenshot({
      path: `${SHOTS}/alerts-inbox.png`,
      fullPage: true,
    });
    // Exactly one notification for the run (one per run, whatever the number of owners).
    const analystToken = await tokenOf(request, 'finance-analyst');
    expect(
      (await notificationsOf(request, analystToken)).filter(n =>
        n.description?.includes(runId),
      ),
    ).toHaveLength(1);
    await link.click();
    await expect(analyst).toHaveURL(
      new RegExp(`/ingestion/pipelines/${pipelineId}\\?tab=quality`),
    );
    await expect(
      analyst.getByRole('heading', { name: PIPELINE }),
    ).toBeVisible();

    // Another organization's user: nothing about finance's pipeline, in the API or the inbox.
    const retailToken = await tokenOf(request, 'retail-analyst');
    expect(
      (await notificationsOf(request, retailToken)).filter(n =>
        TITLE.test(n.title),
      ),
    ).toEqual([]);
    const retail = await signIn(browser, 'retail-analyst');
    await retail.goto('/notifications');
    await expect(
      retail.getByText(/^Unread notifications \(\d+\)$/),
    ).toBeVisible();
    await expect(retail.getByText(TITLE)).toHaveCount(0);
  } finally {
    // Back to the demo pipeline's own owner and spec for the other browser tests, and the test's
    // pipeline gone (best effort: a failure above stays the test's error).
    if (savedVersion !== undefined) {
      await request
        .put(`${API}/pipelines/${pipelineId}`, {
          headers,
          data: {
            expectedVersion: savedVersion,
            owner: original.owner,
            spec: original.spec,
            comment: 'alerts browser test: restored',
          },
        })
        .catch(() => undefined);
    }
    await request
      .delete(`${API}/pipelines/${downstreamId}`, { headers: adminHeaders })
      .catch(() => undefined);
  }
});
