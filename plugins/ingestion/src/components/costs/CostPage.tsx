import { useSearchParams } from 'react-router-dom';
import {
  Content,
  EmptyState,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  costReadPermission,
  ROLE_PERMISSIONS,
  rolesGrant,
  type OrganizationSummary,
  type OrgRole,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import Grid from '@material-ui/core/Grid';
import useAsync from 'react-use/esm/useAsync';
import { ingestionApiRef } from '../../api/IngestionApi';
import { OrganizationSwitcher } from '../common/OrganizationSwitcher';
import { Budgets } from './Budgets';
import { Chargeback } from './Chargeback';
import { PipelineUnitCosts } from './PipelineUnitCosts';
import { SpendOverTime } from './SpendOverTime';

/** The roles that may read an organization's spend, from the access matrix (not hard-coded). */
export const COST_ROLES = (Object.keys(ROLE_PERMISSIONS) as OrgRole[]).filter(
  role => rolesGrant([role], costReadPermission.name),
);

/** `['a', 'b', 'c']` → `a, b or c`. */
const orList = (words: string[]) =>
  words.length > 1
    ? `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`
    : words.join('');

function OrganizationCosts(props: { organization: OrganizationSummary }) {
  const { organization } = props;
  if (!rolesGrant(organization.roles, costReadPermission.name)) {
    return (
      <WarningPanel
        severity="info"
        title={`You need the ${orList(COST_ROLES)} role in ${
          organization.name
        } to see its spend`}
        defaultExpanded
        message={`Your roles in ${organization.name}: ${
          organization.roles.join(', ') || 'none'
        }. An admin of the organization can add you to a role group that grants it.`}
      />
    );
  }
  const id = organization.id;
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <SpendOverTime organization={id} />
      </Grid>
      <Grid item xs={12} xl={6}>
        <Chargeback organization={id} />
      </Grid>
      <Grid item xs={12} xl={6}>
        <Budgets organization={id} />
      </Grid>
      <Grid item xs={12}>
        <PipelineUnitCosts organization={id} />
      </Grid>
    </Grid>
  );
}

/**
 * An organization's cost page (`/ingestion/costs?organization=<id>`, where budget notifications
 * link): spend over time by any tag, chargeback by cost center and team with a CSV download,
 * budgets with their alerts, and cost per good row of each pipeline. The switcher lists the
 * organizations the user is a member of; an organization the user is not in reads "not found".
 */
export function CostPage() {
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
        description="Spend is shown to the members of an organization. Ask one of its admins to add you to a role group."
      />
    );
  } else if (!organization) {
    body = (
      <EmptyState
        missing="data"
        title="Not found"
        description={`There is no organization '${requested}' among yours.`}
      />
    );
  } else {
    body = <OrganizationCosts organization={organization} />;
  }

  return (
    <Page themeId="tool">
      <Header
        title="Spend"
        subtitle={
          organization
            ? `${organization.name} · cost center ${organization.costCenter} · ${organization.environment}`
            : 'Spend, chargeback and budgets of your organizations'
        }
      >
        {organizations.length > 0 && (
          <OrganizationSwitcher
            id="cost-page-organization"
            organizations={organizations}
            value={organization?.id}
            onChange={id => setParams({ organization: id }, { replace: true })}
          />
        )}
      </Header>
      <Content>{body}</Content>
    </Page>
  );
}
