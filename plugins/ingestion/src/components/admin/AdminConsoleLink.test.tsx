import { renderInTestApp } from '@backstage/frontend-test-utils';
import { configure, screen, waitFor } from '@testing-library/react';
import { ingestionApiRef } from '../../api/IngestionApi';
import { mockIngestionApi } from '../../api/__testUtils__/mockIngestionApi';
import { adminOf } from './__testUtils__/mockAdminApi';
import { AdminConsoleLink } from './AdminConsoleLink';
import { adminRouteRef } from './routes';

jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 15_000 });

const render = (roles: Array<'admin' | 'engineer'>) => {
  const api = mockIngestionApi({
    listOrganizations: async () => ({
      items: [adminOf('finance', 'Finance', roles)],
    }),
  });
  const listOrganizations = jest.spyOn(api, 'listOrganizations');
  return {
    listOrganizations,
    rendered: renderInTestApp(<AdminConsoleLink />, {
      mountedRoutes: { '/ingestion/admin': adminRouteRef },
      apis: [[ingestionApiRef, api]],
    }),
  };
};

describe('AdminConsoleLink', () => {
  it('links admins to the console', async () => {
    await render(['admin']).rendered;
    expect(
      (await screen.findByText('Admin console')).closest('a'),
    ).toHaveAttribute('href', '/ingestion/admin');
  });

  it('shows nothing to users who administer no organization', async () => {
    const { rendered, listOrganizations } = render(['engineer']);
    await rendered;
    await waitFor(() => expect(listOrganizations).toHaveBeenCalled());
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(screen.queryByText('Admin console')).toBeNull();
  });
});
