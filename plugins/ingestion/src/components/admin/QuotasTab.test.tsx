import { renderInTestApp } from '@backstage/frontend-test-utils';
import { configure, screen, within } from '@testing-library/react';
import { adminApiRef, type AdminApi } from '../../api/AdminApi';
import {
  expectDeniedAndErrorStates,
  mockAdminApi,
  pending,
  quotaReport,
} from './__testUtils__/mockAdminApi';
import { quotaRows } from './quotaRows';
import { QuotasTab } from './QuotasTab';

jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 15_000 });

const render = (admin: AdminApi) =>
  renderInTestApp(<QuotasTab organization="finance" />, {
    apis: [[adminApiRef, admin]],
  });

const card = (title: string) =>
  screen.getByText(title).closest('.MuiCard-root') as HTMLElement;

describe('QuotasTab', () => {
  it('shows each quota of the brief as used of limit with its unit, and the refusals it caused', async () => {
    await render(mockAdminApi({ getQuotaUsage: async () => quotaReport }));
    expect(await screen.findByText('DBU per hour')).toBeInTheDocument();
    const dbu = card('DBU per hour');
    expect(within(dbu).getByText('12.5 of 100 DBU (13%)')).toBeInTheDocument();
    expect(
      within(dbu).getByRole('progressbar', { name: /DBU per hour/ }),
    ).toHaveAttribute('aria-valuenow', '13');
    expect(
      within(dbu).getByText(/Refused 2 times in the last 14 days/),
    ).toBeInTheDocument();
    expect(
      within(card('Clusters')).getByText('2 of 10 clusters (20%)'),
    ).toBeInTheDocument();
    expect(
      within(card('Concurrent jobs')).getByText('3 of 20 jobs (15%)'),
    ).toBeInTheDocument();
    expect(
      within(card('Storage')).getByText('250 of 10,000 GB (3%)'),
    ).toBeInTheDocument();
    expect(
      within(card('Retention')).getByText('40 of 2,555 days (2%)'),
    ).toBeInTheDocument();
    expect(
      within(card('API requests per minute')).getByText('limit 1,000 requests'),
    ).toBeInTheDocument();
    expect(
      within(card('API requests per day')).getByText(
        '1,234 of 100,000 requests (1%)',
      ),
    ).toBeInTheDocument();
    expect(
      within(card('Clusters')).getByText('No refusals in the last 14 days'),
    ).toBeInTheDocument();
    // Storage was sampled on one day only; the other histories have data.
    expect(
      within(card('Storage')).queryByText('Nothing recorded in this period.'),
    ).toBeNull();
  });

  it('says when a history has nothing recorded', async () => {
    await render(
      mockAdminApi({
        getQuotaUsage: async () => ({
          ...quotaReport,
          hourly: quotaReport.hourly.map(h => ({
            ...h,
            dbu: 0,
            activeRuns: 0,
          })),
        }),
      }),
    );
    expect(await screen.findByText('DBU per hour')).toBeInTheDocument();
    expect(
      within(card('DBU per hour')).getByText(
        'Nothing recorded in this period.',
      ),
    ).toBeInTheDocument();
    expect(
      within(card('API requests per day')).queryByText(
        'Nothing recorded in this period.',
      ),
    ).toBeNull();
  });

  it('builds the history of each quota from the report', () => {
    const rows = quotaRows(quotaReport);
    expect(rows.map(r => r.key)).toEqual([
      'databricks.maxDbuPerHour',
      'databricks.maxClusters',
      'databricks.maxConcurrentJobs',
      'storage.maxStorageGb',
      'storage.retentionDays',
      'api.requestsPerMinute',
      'api.requestsPerDay',
    ]);
    const dbu = rows[0].history!.points;
    expect(dbu).toHaveLength(24);
    expect(dbu[23]).toEqual({ label: '23:00', value: 12.5 });
    expect(rows[3].history!.points).toEqual([{ label: '12-14', value: 250 }]);
    expect(rows[6].history!.points[0]).toEqual({ label: '12-01', value: 1000 });
    expect(rows[1].history).toBeUndefined();
  });

  it('shows the loading, denied and error states', async () => {
    const loading = await render(mockAdminApi({ getQuotaUsage: pending }));
    expect(screen.getByTestId('progress')).toBeInTheDocument();
    loading.unmount();
    await expectDeniedAndErrorStates(render, 'getQuotaUsage', 'redis is down');
  });
});
