import { LinkButton } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import Grid from '@material-ui/core/Grid';
import AccountTreeIcon from '@material-ui/icons/AccountTree';
import VerifiedUserIcon from '@material-ui/icons/VerifiedUser';
import { AdminConsoleLink } from '../admin/AdminConsoleLink';
import { CostPageLink } from '../costs/CostPageLink';
import { OrganizationDashboard } from '../dashboard';
import { NewPipelineButton } from '../editor/NewPipelineButton';
import { lineageRouteRef, qualityRouteRef } from '../explore/routes';
import { OrganizationsPageLink } from '../organizations/OrganizationsPageLink';
import { OrganizationPage, organizationLine } from '../common/OrganizationPage';
import { useOrganizationChoice } from '../common/useOrganizationChoice';
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
  const choice = useOrganizationChoice();
  const { organization } = choice;
  return (
    <OrganizationPage
      title="Ingestion"
      subtitle="Pipelines, Iceberg tables, lineage and spend of your organizations"
      describe={o =>
        `${organizationLine(o)} · your roles: ${o.roles.join(', ') || 'none'}`
      }
      switcherId="ingestion-dashboard-organization"
      choice={choice}
      contentActions={{
        // The organization is in the header already; a short title leaves the row to the links
        // (five for a platform admin, one line at 1280 px).
        title: 'Dashboard',
        actions: (
          <>
            <ExploreLinks organization={organization?.id} />
            <CostPageLink organization={organization?.id} />
            <AdminConsoleLink />
            <OrganizationsPageLink />
          </>
        ),
      }}
      empty={{
        title: 'You are not a member of any organization',
        description:
          'The dashboard shows the organizations you are a member of. Ask an organization admin to add you to one of its role groups.',
      }}
      notFound={requested =>
        `There is no organization '${requested}' among yours: it does not exist, or you are not a member of it.`
      }
    >
      {chosen => (
        <Grid container spacing={3}>
          <Grid item xs={12}>
            <OrganizationDashboard
              key={chosen.id}
              organization={chosen.id}
              actions={<NewPipelineButton organization={chosen} />}
            />
          </Grid>
          <Grid item xs={12}>
            <OrganizationsTable />
          </Grid>
        </Grid>
      )}
    </OrganizationPage>
  );
}
