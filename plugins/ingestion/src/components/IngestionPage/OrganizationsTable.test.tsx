import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { ingestionApiRef } from '../../api/IngestionApi';
import {
  mockIngestionApi,
  responseError,
} from '../../api/__testUtils__/mockIngestionApi';
import { financeOrganization } from '../__testUtils__/fixtures';
import { OrganizationsTable } from './OrganizationsTable';

jest.setTimeout(60_000);

function render(listOrganizations: () => Promise<any>) {
  return renderInTestApp(<OrganizationsTable />, {
    apis: [[ingestionApiRef, mockIngestionApi({ listOrganizations })]],
  });
}

describe('OrganizationsTable', () => {
  it('shows progress while the organizations load', async () => {
    await render(() => new Promise(() => {}));
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });

  it("lists the user's organizations with roles and quotas in units", async () => {
    // The fixture's quotas: 20 jobs, 100 DBU an hour, 1,000 API requests a minute.
    await render(async () => ({ items: [financeOrganization] }));
    expect(await screen.findByText('Finance')).toBeInTheDocument();
    expect(
      screen.getByText(
        '20 concurrent jobs · 100 DBU/hour · 1,000 API requests/min',
      ),
    ).toBeInTheDocument();
    for (const role of financeOrganization.roles) {
      expect(screen.getByText(role)).toBeInTheDocument();
    }
  });

  it('says how to join when the user is in no organization', async () => {
    await render(async () => ({ items: [] }));
    expect(
      await screen.findByText(/not a member of any organization/),
    ).toBeInTheDocument();
  });

  it('shows the error of a failed request', async () => {
    await render(async () => {
      throw await responseError(500, 'Error', 'directory unavailable');
    });
    expect(
      await screen.findByText(/directory unavailable/),
    ).toBeInTheDocument();
  });
});
