import { costReadPermission } from '@ingestion-for-backstage/plugin-ingestion-common';
import Grid from '@material-ui/core/Grid';
import { OrganizationPage, rolesGranting } from '../common/OrganizationPage';
import { useOrganizationChoice } from '../common/useOrganizationChoice';
import { Budgets } from './Budgets';
import { Chargeback } from './Chargeback';
import { PipelineUnitCosts } from './PipelineUnitCosts';
import { SpendOverTime } from './SpendOverTime';

/** The roles that may read an organization's spend, from the access matrix (not hard-coded). */
export const COST_ROLES = rolesGranting(costReadPermission.name);

function OrganizationCosts(props: { organization: string }) {
  const id = props.organization;
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
  return (
    <OrganizationPage
      title="Spend"
      subtitle="Spend, chargeback and budgets of your organizations"
      switcherId="cost-page-organization"
      choice={useOrganizationChoice()}
      empty={{
        title: 'You are not a member of any organization',
        description:
          'Spend is shown to the members of an organization. Ask one of its admins to add you to a role group.',
      }}
      notFound={requested =>
        `There is no organization '${requested}' among yours.`
      }
      requires={{ permission: costReadPermission.name, to: 'see its spend' }}
    >
      {organization => <OrganizationCosts organization={organization.id} />}
    </OrganizationPage>
  );
}
