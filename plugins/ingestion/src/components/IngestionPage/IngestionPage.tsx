import { useSearchParams } from 'react-router-dom';
import {
  Content,
  EmptyState,
  Header,
  LinkButton,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import Grid from '@material-ui/core/Grid';
import AccountTreeIcon from '@material-ui/icons/AccountTree';
import VerifiedUserIcon from '@material-ui/icons/VerifiedUser';
import useAsync from 'react-use/esm/useAsync';
import { ingestionApiRef } from '../../api/IngestionApi';
import { AdminConsoleLink } from '../admin/AdminConsoleLink';
import { CostPageLink } from '../costs/CostPageLink';
import { OrganizationDashboard } from '../dashboard';
import { NewPipelineButton } from '../editor/NewPipelineButton';
import { lineageRouteRef, qualityRouteRef } from '../explore/routes';
import { OrganizationsPageLink } from '../organizations/OrganizationsPageLink';
import { OrganizationSwitcher } from '../common/OrganizationSwitcher';
import { OrganizationsTable } from './OrganizationsTable';

/** Buttons to the lineage explorer and quality monitor of an organization, when installed. */
function ExploreLinks(props: { organization?: string }) {
  const lineage = useRouteRef(lineageRouteRef);
  const quality = useRouteRef(qualityRouteRef);
  const query = props.organization
    ? `?organization=${encodeURIComponent(props.organization)}`
    : '';
  return (
    <>
      {lineage && (
        <LinkButton
          to={`${lineage()}${query}`}
          variant="contained"
          color="default"
          startIcon={<AccountTreeIcon />}
        >
          Lineage
        </LinkButton>
      )}
      {quality && (
        <LinkButton
          to={`${quality()}${query}`}
          variant="contained"
          color="default"
          startIcon={<VerifiedUserIcon />}
        >
          Quality
        </LinkButton>
      )}
    </>
  );
}

/**
 * The Ingestion home (`/ingestion?organization=<id>`): the dashboard of one of the user's
 * organizations — pipelines by health, today's runs, quality score, spend against budget, recent
 * failures and the pipelines with server-side filters and live run status — with a switcher over
 * the user's organizations. An organization the user is not in reads "not found".
 */
export function IngestionPage() {
  const api = useApi(ingestionApiRef);
  const [params, setParams] = useSearchParams();
  const { value, loading, error } = useAsync(
    () => api.listOrganizations(),
    [api],
  );
  const organizations = value?.items ?? [];
  const requested = params.get('organization');
  const organization = requested
    ? organizations.find(o => o.id === requested)
    : organizations[0];

  let body;
  if (loading) {
    body = <Progress />;
  } else if (error) {
    body = <ResponseErrorPanel error={error} />;
  } else if (organizations.length === 0) {
    body = (
      <EmptyState
        missing="info"
        title="You are not a member of any organization"
        description="The dashboard shows the organizations you are a member of. Ask an organization admin to add you to one of its role groups."
      />
    );
  } else if (!organization) {
    body = (
      <EmptyState
        missing="data"
        title="Not found"
        description={`There is no organization '${requested}' among yours: it does not exist, or you are not a member of it.`}
      />
    );
  } else {
    body = (
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <OrganizationDashboard
            key={organization.id}
            organization={organization.id}
            actions={<NewPipelineButton organization={organization} />}
          />
        </Grid>
        <Grid item xs={12}>
          <OrganizationsTable />
        </Grid>
      </Grid>
    );
  }

  return (
    <Page themeId="tool">
      <Header
        title="Ingestion"
        subtitle={
          organization
            ? `${organization.name} · cost center ${
                organization.costCenter
              } · ${organization.environment} · your roles: ${
                organization.roles.join(', ') || 'none'
              }`
            : 'Pipelines, Iceberg tables, lineage and spend of your organizations'
        }
      >
        {organizations.length > 0 && (
          <OrganizationSwitcher
            id="ingestion-dashboard-organization"
            organizations={organizations}
            value={organization?.id}
            onChange={id => setParams({ organization: id }, { replace: true })}
          />
        )}
        <ExploreLinks organization={organization?.id} />
        <CostPageLink organization={organization?.id} />
        <AdminConsoleLink />
        <OrganizationsPageLink />
      </Header>
      <Content>{body}</Content>
    </Page>
  );
}
