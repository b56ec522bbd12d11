import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { configure, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { adminApiRef, type AdminApi } from '../../api/AdminApi';
import { ingestionApiRef } from '../../api/IngestionApi';
import {
  mockIngestionApi,
  responseError,
} from '../../api/__testUtils__/mockIngestionApi';
import { pipelineRouteRef } from '../../routes';
import { allowOnly, withOwnPermissionCache } from '../__testUtils__/fixtures';
import { adminOf, mockAdminApi } from './__testUtils__/mockAdminApi';
import { AdminPage } from './AdminPage';

jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 15_000 });

function render(
  organizations: ReturnType<typeof adminOf>[] | Error,
  options: { url?: string; admin?: AdminApi } = {},
) {
  return renderInTestApp(withOwnPermissionCache(<AdminPage />), {
    initialRouteEntries: [options.url ?? '/ingestion/admin'],
    mountPath: '/ingestion/admin',
    mountedRoutes: {
      '/ingestion/pipelines/:pipelineId': pipelineRouteRef,
      '/catalog/:namespace/:kind/:name': entityRouteRef,
    },
    apis: [
      [
        ingestionApiRef,
        mockIngestionApi({
          listOrganizations: async () => {
            if (organizations instanceof Error) throw organizations;
            return { items: organizations };
          },
        }),
      ],
      [
        adminApiRef,
        options.admin ??
          mockAdminApi({
            getRoleGroups: async organization => ({
              organization,
              roles: {
                admin: [`group:default/${organization}-admins`],
                engineer: [],
                analyst: [],
                viewer: [],
              },
              platformAdmins: [],
            }),
          }),
      ],
      allowOnly(),
      catalogApiMock({ entities: [] }),
    ],
  });
}

describe('AdminPage', () => {
  it('switches between the organizations the user administers, and only those', async () => {
    const admin = mockAdminApi({
      getRoleGroups: async organization => ({
        organization,
        roles: {
          admin: [`group:default/${organization}-admins`],
          engineer: [],
          analyst: [],
          viewer: [],
        },
        platformAdmins: [],
      }),
    });
    const getRoleGroups = jest.spyOn(admin, 'getRoleGroups');
    await render(
      [
        adminOf('finance', 'Finance'),
        adminOf('retail', 'Retail'),
        adminOf('healthcare', 'Healthcare', ['engineer']),
      ],
      { admin },
    );
    expect(await screen.findByText('Members and roles')).toBeInTheDocument();
    expect(getRoleGroups).toHaveBeenCalledWith('finance');

    const switcher = screen
      .getAllByRole('button')
      .find(b => b.getAttribute('aria-haspopup') === 'listbox')!;
    expect(switcher).toHaveTextContent('Finance');
    await userEvent.click(switcher);
    const options = within(screen.getByRole('listbox')).getAllByRole('option');
    expect(options.map(o => o.textContent)).toEqual(['Finance', 'Retail']);
    await userEvent.click(options[1]);
    expect(
      await screen.findByText(/^Retail · cost center/),
    ).toBeInTheDocument();
    expect(getRoleGroups).toHaveBeenLastCalledWith('retail');
  });

  it('opens the tab and organization named in the URL', async () => {
    await render([adminOf('finance', 'Finance'), adminOf('retail', 'Retail')], {
      url: '/ingestion/admin?organization=retail&tab=audit',
    });
    expect(
      await screen.findByText('No audit events match these filters.'),
    ).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Audit log' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
    await userEvent.click(screen.getByRole('tab', { name: 'Connections' }));
    expect(await screen.findByText(/No connections yet/)).toBeInTheDocument();
  });

  it('denies users who administer no organization', async () => {
    await render([adminOf('finance', 'Finance', ['engineer', 'analyst'])]);
    expect(
      await screen.findByText('You do not administer any organization'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('tab')).not.toBeInTheDocument();
  });

  it('answers an organization the user does not administer as not found, whether it exists or not', async () => {
    await render([adminOf('retail', 'Retail')], {
      url: '/ingestion/admin?organization=finance',
    });
    expect(await screen.findByText('Not found')).toBeInTheDocument();
    expect(
      screen.getByText(
        /'finance' does not exist or you are not one of its admins/,
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('tab')).not.toBeInTheDocument();
  });

  it('shows the loading and error states of the organization list', async () => {
    await render(await responseError(500, 'Error', 'database is down'));
    expect(await screen.findByText(/database is down/)).toBeInTheDocument();
  });
});
