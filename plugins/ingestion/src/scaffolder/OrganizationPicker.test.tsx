import { renderInTestApp } from '@backstage/frontend-test-utils';
import type { OrganizationSummary } from '@ingestion-for-backstage/plugin-ingestion-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ingestionApiRef, type IngestionApi } from '../api/IngestionApi';
import { mockIngestionApi } from '../api/__testUtils__/mockIngestionApi';
import { OrganizationPicker } from './OrganizationPicker';

function organization(
  id: string,
  roles: OrganizationSummary['roles'],
  usage: Partial<OrganizationSummary['usage']> = {},
): OrganizationSummary {
  return {
    id,
    name: id[0].toUpperCase() + id.slice(1),
    costCenter: `${id.slice(0, 3).toUpperCase()}-001`,
    environment: 'development',
    ownerGroup: `group:default/${id}`,
    engine: id === 'retail' ? 'databricks' : 'local',
    roles,
    quotas: {
      databricks: {
        maxDbuPerHour: 100,
        maxClusters: 10,
        maxConcurrentJobs: 20,
      },
      storage: { maxStorageGb: 10000, retentionDays: 2555 },
      compute: { maxEcsTasks: 50, maxCpuUnits: 10000 },
      api: { requestsPerMinute: 1000, requestsPerDay: 100000 },
    },
    usage: { concurrentRuns: 2, dbuLastHour: 12, storageGb: 120, ...usage },
  };
}

function api(items: OrganizationSummary[]): IngestionApi {
  return mockIngestionApi({ listOrganizations: async () => ({ items }) });
}

function props(overrides: Record<string, unknown> = {}) {
  return {
    onChange: jest.fn(),
    formData: undefined,
    required: true,
    schema: {
      title: 'Organization',
      description: 'Runs the pipeline and pays for it.',
    },
    uiSchema: {},
    rawErrors: [],
    idSchema: { $id: 'root_organization' },
    ...overrides,
  } as any;
}

jest.setTimeout(60_000);

describe('OrganizationPicker', () => {
  it('lists the organizations where I am an engineer or admin, with their remaining quota', async () => {
    const field = props();
    await renderInTestApp(<OrganizationPicker {...field} />, {
      apis: [
        [
          ingestionApiRef,
          api([
            organization('retail', ['admin']),
            organization('finance', ['engineer'], { dbuLastHour: 100 }),
            organization('healthcare', ['analyst']),
          ]),
        ],
      ],
    });
    await userEvent.click(await screen.findByRole('button'));
    const options = await screen.findAllByRole('option');
    expect(
      options.map(o => within(o).getAllByText(/.+/)[0].textContent),
    ).toEqual([
      'Finance (engineer, local engine)',
      'Retail (admin, databricks engine)',
    ]);
    expect(
      screen.getByText(
        'Left: 0 of 100 DBU/h · 18 of 20 concurrent runs · 9,880 of 10,000 GB storage (a quota is used up)',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Healthcare/)).not.toBeInTheDocument();

    await userEvent.click(options[1]);
    expect(field.onChange).toHaveBeenCalledWith('retail');
  });

  it('shows what is left of the chosen organization and picks the only one', async () => {
    const field = props();
    await renderInTestApp(<OrganizationPicker {...field} />, {
      apis: [[ingestionApiRef, api([organization('finance', ['engineer'])])]],
    });
    await waitFor(() => expect(field.onChange).toHaveBeenCalledWith('finance'));

    const chosen = props({ formData: 'finance' });
    await renderInTestApp(<OrganizationPicker {...chosen} />, {
      apis: [[ingestionApiRef, api([organization('finance', ['engineer'])])]],
    });
    expect(
      await screen.findByText(
        'Left now: 88 of 100 DBU/h · 18 of 20 concurrent runs · 9,880 of 10,000 GB storage',
      ),
    ).toBeInTheDocument();
  });

  it('tells analysts why there is nothing to pick', async () => {
    await renderInTestApp(<OrganizationPicker {...props()} />, {
      apis: [[ingestionApiRef, api([organization('finance', ['analyst'])])]],
    });
    expect(
      await screen.findByText(
        'You are not an engineer or an admin in any organization. Ask an admin of your organization for the role.',
      ),
    ).toBeInTheDocument();
  });

  it('honours other roles in ui:options', async () => {
    await renderInTestApp(
      <OrganizationPicker
        {...props({ uiSchema: { 'ui:options': { roles: ['analyst'] } } })}
      />,
      {
        apis: [[ingestionApiRef, api([organization('finance', ['analyst'])])]],
      },
    );
    await userEvent.click(await screen.findByRole('button'));
    expect(
      await screen.findByText('Finance (analyst, local engine)'),
    ).toBeInTheDocument();
  });

  it('shows the server’s message when the organizations cannot be loaded', async () => {
    await renderInTestApp(<OrganizationPicker {...props()} />, {
      apis: [
        [
          ingestionApiRef,
          {
            ...api([]),
            listOrganizations: async () => {
              throw new Error('Too many requests');
            },
          },
        ],
      ],
    });
    expect(
      await screen.findByText(
        'Could not load your organizations: Too many requests',
      ),
    ).toBeInTheDocument();
  });
});
