import { renderInTestApp } from '@backstage/frontend-test-utils';
import type { OrganizationSummary } from '@ingestion-for-backstage/plugin-ingestion-common';
import { configure, screen } from '@testing-library/react';
import { financeOrganization } from '../__testUtils__/fixtures';
import { NewPipelineButton } from './NewPipelineButton';
import { newPipelineRouteRef } from './routes';

jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 15_000 });

const finance = (roles: OrganizationSummary['roles']): OrganizationSummary => ({
  ...financeOrganization,
  roles,
});

describe('NewPipelineButton', () => {
  it.each([['engineer'], ['admin']] as const)(
    "links the organization's %s to the editor for a new pipeline",
    async role => {
      await renderInTestApp(
        <NewPipelineButton organization={finance([role])} />,
        { mountedRoutes: { '/ingestion/pipelines/new': newPipelineRouteRef } },
      );
      expect(
        (await screen.findByText('New pipeline')).closest('a'),
      ).toHaveAttribute(
        'href',
        '/ingestion/pipelines/new?organization=finance',
      );
    },
  );

  it('shows nothing to analysts and viewers', async () => {
    await renderInTestApp(
      <NewPipelineButton organization={finance(['analyst', 'viewer'])} />,
      { mountedRoutes: { '/ingestion/pipelines/new': newPipelineRouteRef } },
    );
    expect(screen.queryByText('New pipeline')).not.toBeInTheDocument();
  });
});
