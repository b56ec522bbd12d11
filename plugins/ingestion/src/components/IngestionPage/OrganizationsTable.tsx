import {
  Progress,
  ResponseErrorPanel,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type { OrganizationSummary } from '@ingestion-for-backstage/plugin-ingestion-common';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { ingestionApiRef } from '../../api/IngestionApi';

const number = new Intl.NumberFormat('en-US');

const columns: TableColumn<OrganizationSummary>[] = [
  { title: 'Organization', field: 'name', highlight: true },
  { title: 'Cost center', field: 'costCenter' },
  { title: 'Environment', field: 'environment' },
  { title: 'Engine', field: 'engine' },
  {
    title: 'My roles',
    render: org => (
      <>
        {org.roles.map(role => (
          <Chip key={role} label={role} size="small" />
        ))}
      </>
    ),
  },
  {
    // One column with units: three bare numbers under long headers overflowed the card at 1280 px.
    title: 'Quotas',
    render: org => {
      const { databricks, api } = org.quotas;
      return [
        `${number.format(databricks.maxConcurrentJobs)} concurrent jobs`,
        `${number.format(databricks.maxDbuPerHour)} DBU/hour`,
        `${number.format(api.requestsPerMinute)} API requests/min`,
      ].join(' · ');
    },
  },
];

/** The organizations the signed-in user belongs to, with their roles and quotas. */
export function OrganizationsTable() {
  const api = useApi(ingestionApiRef);
  const { value, loading, error } = useAsync(
    () => api.listOrganizations(),
    [api],
  );

  if (loading) {
    return <Progress />;
  }
  if (error) {
    return <ResponseErrorPanel error={error} />;
  }
  return (
    <Table
      title="My organizations"
      options={{ paging: false, search: false }}
      columns={columns}
      data={value?.items ?? []}
      emptyContent={
        <Typography style={{ padding: 16 }}>
          You are not a member of any organization. Ask an organization admin to
          add you to one of its role groups.
        </Typography>
      }
    />
  );
}
