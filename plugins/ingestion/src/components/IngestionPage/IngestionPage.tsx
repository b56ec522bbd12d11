import { Content, Header, Page } from '@backstage/core-components';
import { OrganizationsTable } from './OrganizationsTable';

/** The Ingestion landing page. */
export function IngestionPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Ingestion"
        subtitle="Pipelines, Iceberg tables, lineage and spend of your organizations"
      />
      <Content>
        <OrganizationsTable />
      </Content>
    </Page>
  );
}
