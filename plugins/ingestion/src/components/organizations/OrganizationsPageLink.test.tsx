import { renderInTestApp } from '@backstage/frontend-test-utils';
import { configure, screen, waitFor } from '@testing-library/react';
import {
  organizationsApiRef,
  type OrganizationsApi,
} from '../../api/OrganizationsApi';
import { responseError } from '../../api/__testUtils__/mockIngestionApi';
import { OrganizationsPageLink } from './OrganizationsPageLink';
import { organizationsRouteRef } from './routes';

jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 15_000 });

const api = (listAll: OrganizationsApi['listAll']): OrganizationsApi => ({
  listAll: jest.fn(listAll),
  create: jest.fn(),
  update: jest.fn(),
  retire: jest.fn(),
});

describe('OrganizationsPageLink', () => {
  it('links platform admins to the organizations page', async () => {
    await renderInTestApp(<OrganizationsPageLink />, {
      mountedRoutes: { '/ingestion/organizations': organizationsRouteRef },
      apis: [[organizationsApiRef, api(async () => ({ items: [] }))]],
    });
    expect(
      (await screen.findByText('Organizations')).closest('a'),
    ).toHaveAttribute('href', '/ingestion/organizations');
  });

  it('shows nothing to users the backend refuses the directory', async () => {
    const refused = api(async () => {
      throw await responseError(403, 'NotAllowedError', 'platform admins only');
    });
    await renderInTestApp(<OrganizationsPageLink />, {
      mountedRoutes: { '/ingestion/organizations': organizationsRouteRef },
      apis: [[organizationsApiRef, refused]],
    });
    await waitFor(() => expect(refused.listAll).toHaveBeenCalled());
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(screen.queryByText('Organizations')).toBeNull();
  });

  it('shows nothing, and asks nothing, when the page is not installed', async () => {
    const listAll = api(async () => ({ items: [] }));
    await renderInTestApp(<OrganizationsPageLink />, {
      apis: [[organizationsApiRef, listAll]],
    });
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(screen.queryByText('Organizations')).toBeNull();
    expect(listAll.listAll).not.toHaveBeenCalled();
  });
});
