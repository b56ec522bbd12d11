import { renderInTestApp } from '@backstage/frontend-test-utils';
import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  organizationsApiRef,
  type OrganizationsApi,
  type OrganizationRecord,
} from '../../api/OrganizationsApi';
import { responseError } from '../../api/__testUtils__/mockIngestionApi';
import { OrganizationsPage } from './OrganizationsPage';

jest.setTimeout(120_000);
configure({ asyncUtilTimeout: 15_000 });

function record(
  id: string,
  overrides: Partial<OrganizationRecord> = {},
): OrganizationRecord {
  return {
    id,
    name: id[0].toLocaleUpperCase('en-US') + id.slice(1),
    costCenter: `${id.slice(0, 3).toLocaleUpperCase('en-US')}-001`,
    environment: 'production',
    ownerGroup: `group:default/${id}`,
    roles: {
      admin: [`group:default/${id}-admins`],
      engineer: [],
      analyst: [],
      viewer: [],
    },
    quotas: {
      databricks: { maxDbuPerHour: 50, maxClusters: 5, maxConcurrentJobs: 10 },
      storage: { maxStorageGb: 1000, retentionDays: 365 },
      compute: { maxEcsTasks: 20, maxCpuUnits: 2000 },
      api: { requestsPerMinute: 600, requestsPerDay: 50000 },
    },
    engine: 'local',
    storage: `/data/${id}`,
    icebergCatalog: `${id}_catalog`,
    origin: 'config',
    retired: false,
    ...overrides,
  };
}

function mockApi(overrides: Partial<OrganizationsApi> = {}): OrganizationsApi {
  return {
    listAll: jest.fn(async () => ({ items: [] })),
    create: jest.fn(async input => record(input.id, { origin: 'api' })),
    update: jest.fn(async id => record(id)),
    retire: jest.fn(async id => record(id, { retired: true })),
    ...overrides,
  };
}

const render = (api: OrganizationsApi) =>
  renderInTestApp(<OrganizationsPage />, {
    apis: [[organizationsApiRef, api]],
  });

describe('OrganizationsPage', () => {
  it('lists every organization with its status, retired ones without actions', async () => {
    await render(
      mockApi({
        listAll: async () => ({
          items: [
            record('finance', {
              budget: { monthly: 5000, alertThresholds: [1] },
            }),
            record('legacy', {
              retired: true,
              retiredAt: '2026-12-01T10:00:00.000Z',
              origin: 'api',
            }),
          ],
        }),
      }),
    );
    expect(await screen.findByText('Organizations (2)')).toBeInTheDocument();
    expect(screen.getByText('$5,000 / month')).toBeInTheDocument();
    expect(screen.getByText('In service')).toBeInTheDocument();
    expect(screen.getByText('Retired 2026-12-01')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Edit Finance' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Retire Legacy' }),
    ).not.toBeInTheDocument();
  });

  it('creates an organization from the form and lists it', async () => {
    let items: OrganizationRecord[] = [record('finance')];
    const api = mockApi({
      listAll: async () => ({ items }),
      create: jest.fn(async input => {
        const created = record(input.id, { name: input.name, origin: 'api' });
        items = [...items, created];
        return created;
      }),
    });
    await render(api);
    await userEvent.click(
      await screen.findByRole('button', { name: /New organization/ }),
    );
    const dialog = await screen.findByRole('dialog');
    const field = (label: RegExp) => within(dialog).getByLabelText(label);
    const fill = async (label: RegExp, text: string) => {
      await userEvent.click(field(label));
      await userEvent.paste(text);
    };
    await fill(/^Id/, 'marketing');
    await fill(/^Name/, 'Marketing');
    await fill(/^Cost center/, 'MKT-001');
    await fill(/^Owner group/, 'group:default/marketing');
    await fill(/^Admin groups/, 'group:default/marketing-admins');
    await fill(/^Storage root/, '/data/marketing');
    await fill(/^Concurrent jobs/, '3');
    await fill(/^Monthly budget/, '2500');
    await fill(/^Private destinations/, 'db.internal 5432');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Create' }),
    );

    await waitFor(() =>
      expect(api.create).toHaveBeenCalledWith({
        id: 'marketing',
        name: 'Marketing',
        costCenter: 'MKT-001',
        environment: 'development',
        ownerGroup: 'group:default/marketing',
        roles: {
          admin: ['group:default/marketing-admins'],
          engineer: [],
          analyst: [],
          viewer: [],
        },
        quotas: { databricks: { maxConcurrentJobs: 3 } },
        engine: 'local',
        storage: '/data/marketing',
        budget: { monthly: 2500 },
        egress: { allow: [{ host: 'db.internal', ports: [5432] }] },
      }),
    );
    expect(await screen.findByText('Organizations (2)')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('keeps the form open with the backend’s field errors', async () => {
    const api = mockApi({
      create: async () => {
        throw await responseError(
          400,
          'InputError',
          'roles.admin[0]: must be a group entity ref such as group:default/finance-admins; quotas.api.requestsPerDay: must be a positive integer; databricks.workspaceId: unknown field; color: unknown field',
        );
      },
    });
    await render(api);
    await userEvent.click(
      await screen.findByRole('button', { name: /New organization/ }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Create' }),
    );
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      /roles\.admin\[0\]: must be a group entity ref/,
    );
    // Each problem also under its field, which is marked invalid.
    const admins = within(dialog).getByRole('textbox', {
      name: 'Admin groups',
    });
    expect(admins).toHaveAttribute('aria-invalid', 'true');
    expect(admins).toHaveAccessibleDescription(
      'must be a group entity ref such as group:default/finance-admins',
    );
    const perDay = within(dialog).getByRole('spinbutton', {
      name: 'API requests (per day)',
    });
    expect(perDay).toHaveAttribute('aria-invalid', 'true');
    expect(perDay).toHaveAccessibleDescription('must be a positive integer');
    expect(
      within(dialog).getByRole('textbox', { name: /^Id/ }),
    ).toHaveAttribute('aria-invalid', 'false');
  });

  it('edits an organization, keeping the settings the form does not show', async () => {
    const finance = record('finance', {
      storageLocations: ['s3://finance-lake'],
      budget: { monthly: 5000, alertThresholds: [0.9] },
    });
    const api = mockApi({ listAll: async () => ({ items: [finance] }) });
    await render(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Edit Finance' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText(/^Id/)).toBeDisabled();
    const costCenter = within(dialog).getByLabelText(/^Cost center/);
    await userEvent.clear(costCenter);
    await userEvent.type(costCenter, 'FIN-002');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.update).toHaveBeenCalled());
    const [id, body] = (api.update as jest.Mock).mock.calls[0];
    expect(id).toBe('finance');
    expect(body).toMatchObject({
      costCenter: 'FIN-002',
      storageLocations: ['s3://finance-lake'],
      budget: { monthly: 5000, alertThresholds: [0.9] },
      quotas: { compute: { maxEcsTasks: 20 } },
      iceberg: { catalog: 'finance_catalog' },
    });
    expect(body.id).toBeUndefined();
  });

  it('retires only after confirming, saying what retiring does', async () => {
    const api = mockApi({
      listAll: async () => ({ items: [record('retail')] }),
    });
    await render(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Retire Retail' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent(/schedules stop/);
    expect(dialog).toHaveTextContent(/data and audit log are kept/);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Cancel' }),
    );
    expect(api.retire).not.toHaveBeenCalled();

    await userEvent.click(
      screen.getByRole('button', { name: 'Retire Retail' }),
    );
    await userEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Retire',
      }),
    );
    await waitFor(() => expect(api.retire).toHaveBeenCalledWith('retail'));
  });

  it('tells everyone but platform admins that the page is theirs', async () => {
    await render(
      mockApi({
        listAll: async () => {
          throw await responseError(
            403,
            'NotAllowedError',
            'Only platform admins',
          );
        },
      }),
    );
    expect(await screen.findByText('For platform admins')).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /New organization/ }),
    ).not.toBeInTheDocument();
  });

  it('shows the empty and error states', async () => {
    const { unmount } = await render(mockApi());
    expect(await screen.findByText('No organizations yet')).toBeInTheDocument();
    unmount();
    await render(
      mockApi({
        listAll: async () => {
          throw await responseError(500, 'Error', 'database is down');
        },
      }),
    );
    expect(await screen.findByText(/database is down/)).toBeInTheDocument();
  });
});
