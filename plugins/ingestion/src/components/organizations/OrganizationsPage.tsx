import {
  Content,
  ContentHeader,
  EmptyState,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/frontend-plugin-api';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import AddIcon from '@material-ui/icons/Add';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  organizationsApiRef,
  type OrganizationRecord,
} from '../../api/OrganizationsApi';
import { errorStatus } from '../common/ApiErrorPanel';
import { inputOf, updateOf } from './formState';
import { OrganizationForm } from './OrganizationForm';
import { RetireDialog } from './RetireDialog';

const usd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumFractionDigits: 0,
});

function Status(props: { organization: OrganizationRecord }) {
  const { organization } = props;
  return organization.retired ? (
    <Chip
      size="small"
      label={`Retired ${organization.retiredAt?.slice(0, 10) ?? ''}`.trim()}
    />
  ) : (
    <Chip size="small" color="primary" label="In service" />
  );
}

type Editing =
  | { kind: 'create' }
  | { kind: 'edit'; organization: OrganizationRecord }
  | { kind: 'retire'; organization: OrganizationRecord }
  | undefined;

/**
 * Organizations at run time (`/ingestion/organizations`), for platform admins: every organization,
 * retired ones included, with create, edit and retire. Everyone else gets the backend's 403,
 * shown as "for platform admins". Changes reach the catalog and everyone's access within seconds.
 */
export function OrganizationsPage() {
  const api = useApi(organizationsApiRef);
  const alertApi = useApi(alertApiRef);
  const [editing, setEditing] = useState<Editing>();
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.listAll(),
    [api],
  );
  const done = (message: string) => {
    setEditing(undefined);
    alertApi.post({ message, severity: 'success', display: 'transient' });
    retry();
  };

  const columns: TableColumn<OrganizationRecord>[] = [
    {
      title: 'Organization',
      field: 'name',
      render: org => (
        <>
          <Typography variant="body2">{org.name}</Typography>
          <Typography variant="caption" color="textSecondary">
            {org.id}
          </Typography>
        </>
      ),
    },
    { title: 'Cost center', field: 'costCenter' },
    { title: 'Environment', field: 'environment' },
    {
      title: 'Engine',
      field: 'engine',
      render: org =>
        org.engine === 'databricks' && org.databricks
          ? `databricks (${org.databricks.host})`
          : org.engine,
    },
    {
      title: 'Budget',
      field: 'budget.monthly',
      render: org =>
        org.budget ? `${usd.format(org.budget.monthly)} / month` : '—',
    },
    {
      title: 'Origin',
      field: 'origin',
      render: org => (org.origin === 'config' ? 'config seed' : 'created here'),
    },
    {
      title: 'Status',
      field: 'retired',
      render: org => <Status organization={org} />,
    },
    {
      title: 'Actions',
      sorting: false,
      render: org =>
        org.retired ? null : (
          <>
            <Button
              size="small"
              onClick={() => setEditing({ kind: 'edit', organization: org })}
              aria-label={`Edit ${org.name}`}
            >
              Edit
            </Button>
            <Button
              size="small"
              color="secondary"
              onClick={() => setEditing({ kind: 'retire', organization: org })}
              aria-label={`Retire ${org.name}`}
            >
              Retire
            </Button>
          </>
        ),
    },
  ];

  let body;
  if (loading && !value) {
    body = <Progress />;
  } else if (error && errorStatus(error) === 403) {
    body = (
      <EmptyState
        missing="info"
        title="For platform admins"
        description="Only platform admins (ingestion.platformAdmins) create, edit and retire organizations."
      />
    );
  } else if (error) {
    body = <ResponseErrorPanel error={error} />;
  } else if (!value || value.items.length === 0) {
    body = (
      <EmptyState
        missing="data"
        title="No organizations yet"
        description="Create the first one: its System and role groups reach the catalog without a restart."
        action={
          <Button
            color="primary"
            variant="contained"
            onClick={() => setEditing({ kind: 'create' })}
          >
            New organization
          </Button>
        }
      />
    );
  } else {
    body = (
      <>
        <ContentHeader title="">
          <Button
            color="primary"
            variant="contained"
            startIcon={<AddIcon />}
            onClick={() => setEditing({ kind: 'create' })}
          >
            New organization
          </Button>
        </ContentHeader>
        <Table<OrganizationRecord>
          title={`Organizations (${value.items.length})`}
          columns={columns}
          data={value.items}
          options={{
            search: true,
            paging: value.items.length > 20,
            pageSize: 20,
          }}
        />
      </>
    );
  }

  return (
    <Page themeId="tool">
      <Header
        title="Organizations"
        subtitle="Tenants of the ingestion platform: create, edit and retire at run time"
      />
      <Content>
        {body}
        {editing?.kind === 'create' && (
          <OrganizationForm
            onClose={() => setEditing(undefined)}
            onSubmit={async form => {
              const created = await api.create(inputOf(form));
              done(`Created ${created.name}`);
            }}
          />
        )}
        {editing?.kind === 'edit' && (
          <OrganizationForm
            organization={editing.organization}
            onClose={() => setEditing(undefined)}
            onSubmit={async form => {
              const updated = await api.update(
                editing.organization.id,
                updateOf(editing.organization, form),
              );
              done(`Saved ${updated.name}`);
            }}
          />
        )}
        {editing?.kind === 'retire' && (
          <RetireDialog
            organization={editing.organization}
            onClose={() => setEditing(undefined)}
            onConfirm={async () => {
              await api.retire(editing.organization.id);
              done(`Retired ${editing.organization.name}`);
            }}
          />
        )}
      </Content>
    </Page>
  );
}
