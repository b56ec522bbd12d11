import { Content, Header, Page } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import { AdminConsoleLink } from '../admin/AdminConsoleLink';
import { CostPageLink } from '../costs/CostPageLink';
import { OrganizationsPageLink } from '../organizations/OrganizationsPageLink';
import { OrganizationsTable } from './OrganizationsTable';
import { PipelinesTable } from './PipelinesTable';
import { RunsTable } from './RunsTable';

/** The Ingestion landing page: my organizations, their pipelines and latest runs. */
export function IngestionPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Ingestion"
        subtitle="Pipelines, Iceberg tables, lineage and spend of your organizations"
      >
        <CostPageLink />
        <AdminConsoleLink />
        <OrganizationsPageLink />
      </Header>
      <Content>
        <Grid container spacing={3}>
          <Grid item xs={12}>
            <OrganizationsTable />
          </Grid>
          <Grid item xs={12}>
            <PipelinesTable />
          </Grid>
          <Grid item xs={12}>
            <RunsTable />
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}
