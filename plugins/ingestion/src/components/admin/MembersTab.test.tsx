import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { configure, screen, within } from '@testing-library/react';
import { adminApiRef, type AdminApi } from '../../api/AdminApi';
import {
  expectDeniedAndErrorStates,
  mockAdminApi,
  pending,
} from './__testUtils__/mockAdminApi';
import { MembersTab } from './MembersTab';

jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 15_000 });

const group = (name: string, members: string[]) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
  relations: members.map(user => ({
    type: 'hasMember',
    targetRef: `user:default/${user}`,
  })),
});

const roles = {
  organization: 'finance',
  roles: {
    admin: ['group:default/finance-admins'],
    engineer: ['group:default/finance-engineers'],
    analyst: ['group:default/finance-analysts'],
    viewer: [],
  },
  platformAdmins: ['group:default/platform-admins'],
};

function render(admin: AdminApi) {
  return renderInTestApp(<MembersTab organization="finance" />, {
    mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    apis: [
      [adminApiRef, admin],
      catalogApiMock({
        entities: [
          group('finance-admins', ['finance-admin']),
          group('finance-engineers', ['finance-engineer', 'finance-lead']),
          group('platform-admins', ['platform-admin']),
        ],
      }),
    ],
  });
}

describe('MembersTab', () => {
  it('lists each role group with its members, linked to the catalog, and says where membership comes from', async () => {
    await render(mockAdminApi({ getRoleGroups: async () => roles }));
    const engineers = (await screen.findByText('engineer')).closest('tr')!;
    expect(
      within(engineers).getByRole('link', { name: 'finance-engineers' }),
    ).toHaveAttribute('href', '/catalog/default/group/finance-engineers');
    expect(
      within(engineers).getByRole('link', { name: 'finance-lead' }),
    ).toHaveAttribute('href', '/catalog/default/user/finance-lead');
    const platform = screen.getByText('platform admin').closest('tr')!;
    expect(
      within(platform).getByRole('link', { name: 'platform-admin' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/which the identity\s+provider maintains/),
    ).toBeInTheDocument();
    // finance-analysts is configured but not in the catalog.
    const analysts = screen.getByText('analyst').closest('tr')!;
    expect(
      within(analysts).getByText('Not in the catalog'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Some role groups are not in the catalog/),
    ).toBeInTheDocument();
  });

  it('shows the empty, loading, denied and error states', async () => {
    const { unmount } = await render(
      mockAdminApi({
        getRoleGroups: async () => ({
          organization: 'finance',
          roles: { admin: [], engineer: [], analyst: [], viewer: [] },
          platformAdmins: [],
        }),
      }),
    );
    expect(
      await screen.findByText(
        'No role groups are configured for this organization.',
      ),
    ).toBeInTheDocument();
    unmount();

    const loading = await render(mockAdminApi({ getRoleGroups: pending }));
    expect(screen.getByTestId('progress')).toBeInTheDocument();
    loading.unmount();

    await expectDeniedAndErrorStates(
      render,
      'getRoleGroups',
      'catalog is down',
    );
  });
});
