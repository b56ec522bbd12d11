import type { OrganizationSummary } from '@ingestion-for-backstage/plugin-ingestion-common';
import type {
  AdminApi,
  Connection,
  QuotaUsageHistory,
} from '../../../api/AdminApi';
import { screen } from '@testing-library/react';
import { responseError } from '../../../api/__testUtils__/mockIngestionApi';
import { financeOrganization } from '../../__testUtils__/fixtures';

/**
 * An {@link AdminApi} for tests: lists are empty, and anything a test did not override fails
 * loudly, so a test never passes on a call it did not expect.
 */
export function mockAdminApi(overrides: Partial<AdminApi> = {}): AdminApi {
  const unexpected = (name: string) => async () => {
    throw new Error(`AdminApi.${name} was not expected in this test`);
  };
  const empty = async () => ({ items: [] });
  return {
    listConnections: empty,
    createConnection: unexpected('createConnection'),
    rotateConnection: unexpected('rotateConnection'),
    testConnection: unexpected('testConnection'),
    deleteConnection: unexpected('deleteConnection'),
    listConnectionUsage: empty,
    getQuotaUsage: unexpected('getQuotaUsage'),
    getRoleGroups: unexpected('getRoleGroups'),
    listAuditEvents: empty,
    exportAuditEvents: unexpected('exportAuditEvents'),
    ...overrides,
  };
}

/** A promise that never settles: the view stays in its loading state. */
export const pending = <T>() => new Promise<T>(() => {});

export const adminOf = (
  id: string,
  name: string,
  roles: OrganizationSummary['roles'] = ['admin'],
): OrganizationSummary => ({ ...financeOrganization, id, name, roles });

export const financeDb: Connection = {
  id: 'c-1',
  organization: 'finance',
  name: 'finance-db',
  type: 'mariadb',
  settings: { host: '127.0.0.1', port: 3306, database: 'finance', user: 'etl' },
  hasSecret: true,
  keyId: 'k1',
  createdBy: 'user:default/finance-admin',
  createdAt: '2026-11-01T10:00:00Z',
};

export const quotaReport: QuotaUsageHistory = {
  organization: 'finance',
  quotas: financeOrganization.quotas,
  usage: {
    dbuLastHour: 12.5,
    concurrentRuns: 3,
    clustersInUse: 2,
    storageGb: 250,
    oldestRunDays: 40,
    apiRequestsToday: 1234,
  },
  hourly: Array.from({ length: 24 }, (_, i) => ({
    hour: new Date(Date.UTC(2026, 11, 6, i)).toISOString(),
    dbu: i === 23 ? 12.5 : 0,
    activeRuns: i === 23 ? 3 : 0,
  })),
  daily: Array.from({ length: 14 }, (_, i) => ({
    day: `2026-12-${String(i + 1).padStart(2, '0')}`,
    apiRequests: 1000 + i,
    ...(i === 13 ? { storageGb: 250 } : {}),
  })),
  refusals: [
    {
      quota: 'databricks.maxDbuPerHour',
      count: 2,
      lastAt: '2026-12-06T22:00:00Z',
    },
  ],
};

/**
 * Renders a view whose data comes from `method` three times, with that call refused (403) and
 * failing (500) after the loading state the caller checks, and expects the denied and error
 * states: the shape every admin tab shares.
 */
export async function expectDeniedAndErrorStates(
  render: (
    api: AdminApi,
  ) => PromiseLike<{ unmount(): void }> | { unmount(): void },
  method: keyof AdminApi,
  failure: string,
) {
  const refusing = (status: number, name: string, message: string) =>
    mockAdminApi({
      [method]: async () => {
        throw await responseError(status, name, message);
      },
    });
  const denied = await render(refusing(403, 'NotAllowedError', 'admins only'));
  expect(await screen.findByText('You do not have access')).toBeInTheDocument();
  denied.unmount();
  const failed = await render(refusing(500, 'Error', failure));
  expect(
    (await screen.findAllByText(new RegExp(failure)))[0],
  ).toBeInTheDocument();
  failed.unmount();
}
