import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  costReadPermission,
  type OrganizationSummary,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { configure, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation } from 'react-router-dom';
import { ingestionApiRef } from '../../api/IngestionApi';
import {
  mockIngestionApi,
  responseError,
} from '../../api/__testUtils__/mockIngestionApi';
import {
  financeOrganization,
  retailOrganization,
} from '../__testUtils__/fixtures';
import { OrganizationPage, rolesGranting } from './OrganizationPage';
import { useOrganizationChoice } from './useOrganizationChoice';

jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 15_000 });

const finance = { ...financeOrganization, roles: ['analyst' as const] };
const retail = retailOrganization();

function Location() {
  const location = useLocation();
  return <output aria-label="address">{location.search}</output>;
}

/** A page over the organizations `offer` keeps, showing the chosen one's id. */
function TestPage(props: {
  offer?: (o: OrganizationSummary) => boolean;
  requires?: { permission: string; to: string };
  contentActions?: { title: string; actions: JSX.Element };
}) {
  return (
    <>
      <OrganizationPage
        title="Test page"
        subtitle="Things of your organizations"
        switcherId="test-organization"
        choice={useOrganizationChoice(props.offer)}
        empty={{ title: 'None of yours', description: 'Ask an admin.' }}
        notFound={requested => `No '${requested}' among yours.`}
        requires={props.requires}
        contentActions={props.contentActions}
      >
        {organization => <p>Content of {organization.id}</p>}
      </OrganizationPage>
      <Location />
    </>
  );
}

function render(
  listOrganizations: () => Promise<{ items: OrganizationSummary[] }>,
  options: { query?: string } & Parameters<typeof TestPage>[0] = {},
) {
  const { query = '', ...props } = options;
  return renderInTestApp(<TestPage {...props} />, {
    mountPath: '/test',
    initialRouteEntries: [`/test${query}`],
    apis: [[ingestionApiRef, mockIngestionApi({ listOrganizations })]],
  });
}

describe('OrganizationPage with useOrganizationChoice', () => {
  it('shows progress while the organizations load', async () => {
    await render(() => new Promise(() => {}));
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
    expect(
      screen.getByText('Things of your organizations'),
    ).toBeInTheDocument();
    expect(screen.queryByLabelText('Organization')).toBeNull();
  });

  it('shows the error of a failed request', async () => {
    await render(async () => {
      throw await responseError(503, 'ServiceUnavailableError', 'db down');
    });
    expect(await screen.findByText(/db down/)).toBeInTheDocument();
    expect(screen.queryByText(/Content of/)).toBeNull();
  });

  it('says when the page offers none of the user’s organizations', async () => {
    await render(async () => ({ items: [finance, retail] }), {
      offer: o => o.roles.includes('admin'),
    });
    expect(await screen.findByText('None of yours')).toBeInTheDocument();
    expect(screen.getByText('Ask an admin.')).toBeInTheDocument();
    expect(screen.queryByLabelText('Organization')).toBeNull();
  });

  it('shows the content header with its links in every state, none offered included', async () => {
    await render(async () => ({ items: [] }), {
      contentActions: {
        title: 'Overview',
        actions: <a href="/elsewhere">Related page</a>,
      },
    });
    expect(await screen.findByText('None of yours')).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: 'Overview' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Related page' })).toHaveAttribute(
      'href',
      '/elsewhere',
    );
  });

  it('reads "not found" for a requested organization it does not offer', async () => {
    await render(async () => ({ items: [finance] }), {
      query: '?organization=retail',
    });
    expect(await screen.findByText('Not found')).toBeInTheDocument();
    expect(screen.getByText("No 'retail' among yours.")).toBeInTheDocument();
    expect(
      screen.getByText('Things of your organizations'),
    ).toBeInTheDocument();
  });

  it('denies an organization whose roles do not grant the permission, naming the roles that do', async () => {
    await render(async () => ({ items: [finance, retail] }), {
      query: '?organization=retail',
      requires: { permission: costReadPermission.name, to: 'see its spend' },
    });
    const roles = rolesGranting(costReadPermission.name);
    expect(roles).not.toContain('viewer');
    expect(
      await screen.findByText(
        new RegExp(`You need the .* role in Retail to see its spend`),
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Your roles in Retail: viewer/),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Content of/)).toBeNull();
  });

  it('shows the first organization, and another chosen in the switcher, keeping the other parameters', async () => {
    await render(async () => ({ items: [finance, retail] }), {
      query: '?tab=audit',
      requires: { permission: costReadPermission.name, to: 'see its spend' },
    });
    expect(await screen.findByText('Content of finance')).toBeInTheDocument();
    expect(
      screen.getByText('Finance · cost center FIN-001 · production'),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByLabelText('Organization'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Retail' }),
    );
    expect(
      await screen.findByText(/You need the .* role in Retail/),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('address')).toHaveTextContent(
      '?tab=audit&organization=retail',
    );
  });
});
