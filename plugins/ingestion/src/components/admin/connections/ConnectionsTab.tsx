import { Link, type TableColumn } from '@backstage/core-components';
import {
  alertApiRef,
  useApi,
  useRouteRef,
} from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { connectionManagePermission } from '@ingestion-for-backstage/plugin-ingestion-common';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  adminApiRef,
  type Connection,
  type ConnectionTestResult,
} from '../../../api/AdminApi';
import { pipelineRouteRef } from '../../../routes';
import { CursorTable } from '../../common/CursorTable';
import { formatTime } from '../../common/format';
import {
  DeleteConnectionDialog,
  RotateSecretDialog,
  TestResultDialog,
} from './ConnectionDialogs';
import { describeSettings, serverMessage } from './connectionFields';
import { CreateConnectionDialog } from './CreateConnectionDialog';

/**
 * An organization's connections: where each points, that its secret is set (never the secret),
 * when it was rotated and which pipelines read through it. Create, rotate, test and delete show
 * only to users the permission policy lets manage connections (the backend checks again).
 */
export function ConnectionsTab(props: { organization: string }) {
  const { organization } = props;
  const api = useApi(adminApiRef);
  const alertApi = useApi(alertApiRef);
  const pipelineLink = useRouteRef(pipelineRouteRef);
  const manage = usePermission({
    permission: connectionManagePermission,
    resourceRef: organization,
  });
  const [generation, setGeneration] = useState(0);
  const [creating, setCreating] = useState(false);
  const [rotating, setRotating] = useState<Connection>();
  const [deleting, setDeleting] = useState<Connection>();
  const [testing, setTesting] = useState<string>();
  const [tested, setTested] = useState<{
    connection: Connection;
    outcome: ConnectionTestResult;
  }>();
  const usage = useAsync(
    () => api.listConnectionUsage(organization),
    [api, organization, generation],
  );
  const usageOf = (name: string) =>
    usage.value?.items.find(u => u.connection === name);
  const refresh = () => setGeneration(g => g + 1);
  const fail = (what: string, e: unknown) =>
    alertApi.post({
      message: `${what} failed: ${serverMessage(e)}`,
      severity: 'error',
    });

  const test = async (connection: Connection) => {
    setTesting(connection.id);
    try {
      setTested({
        connection,
        outcome: await api.testConnection(connection.id),
      });
    } catch (e) {
      fail(`Testing ${connection.name}`, e);
    } finally {
      setTesting(undefined);
    }
  };

  const columns: TableColumn<Connection>[] = [
    { title: 'Name', field: 'name', highlight: true },
    { title: 'Type', field: 'type' },
    {
      title: 'Points at',
      render: c => describeSettings(c.type, c.settings),
    },
    {
      title: 'Secret',
      render: () => <Chip size="small" label="set (write-only)" />,
    },
    {
      title: 'Rotated',
      render: c => (c.rotatedAt ? formatTime(c.rotatedAt) : 'never'),
    },
    {
      title: 'Used by',
      render: c => {
        if (usage.error) return 'unknown';
        const pipelines = usageOf(c.name)?.pipelines ?? [];
        if (!usage.value) return '…';
        if (!pipelines.length) return 'no pipeline';
        return pipelines.map((p, index) => (
          <span key={p.id}>
            {index > 0 && ', '}
            {pipelineLink ? (
              <Link to={pipelineLink({ pipelineId: p.id })}>{p.name}</Link>
            ) : (
              p.name
            )}
          </span>
        ));
      },
    },
  ];
  if (manage.allowed) {
    columns.push({
      title: 'Actions',
      render: c => (
        <div style={{ display: 'flex', gap: 4 }}>
          <Button
            size="small"
            disabled={testing === c.id}
            onClick={() => test(c)}
            aria-label={`Test ${c.name}`}
          >
            Test
          </Button>
          <Button
            size="small"
            onClick={() => setRotating(c)}
            aria-label={`Rotate ${c.name}`}
          >
            Rotate
          </Button>
          <Button
            size="small"
            color="secondary"
            onClick={() => setDeleting(c)}
            aria-label={`Delete ${c.name}`}
          >
            Delete
          </Button>
        </div>
      ),
    });
  }

  return (
    <>
      <CursorTable<Connection>
        title="Connections"
        resource="The connections of this organization"
        columns={columns}
        fetchPage={cursor => api.listConnections(organization, cursor)}
        deps={[organization, generation]}
        emptyMessage={
          <>
            No connections yet.
            {manage.allowed &&
              ' Create one for each database, broker, API or bucket pipelines read from.'}
          </>
        }
        actions={
          manage.allowed ? (
            <Button
              variant="contained"
              color="primary"
              onClick={() => setCreating(true)}
            >
              New connection
            </Button>
          ) : undefined
        }
      />
      {!manage.loading && !manage.allowed && (
        <Typography variant="body2" color="textSecondary">
          You may see connections but not change them.
        </Typography>
      )}
      <CreateConnectionDialog
        organization={organization}
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={created => {
          setCreating(false);
          alertApi.post({
            message: `Connection ${created.name} created.`,
            severity: 'success',
            display: 'transient',
          });
          refresh();
        }}
      />
      <RotateSecretDialog
        connection={rotating}
        onClose={() => setRotating(undefined)}
        onRotate={async password => {
          const rotated = await api.rotateConnection(rotating!.id, password);
          setRotating(undefined);
          alertApi.post({
            message: `Secret of ${rotated.name} rotated.`,
            severity: 'success',
            display: 'transient',
          });
          refresh();
        }}
      />
      <DeleteConnectionDialog
        connection={deleting}
        usage={deleting ? usageOf(deleting.name) : undefined}
        onClose={() => setDeleting(undefined)}
        onDelete={async () => {
          try {
            await api.deleteConnection(deleting!.id);
            alertApi.post({
              message: `Connection ${deleting!.name} deleted.`,
              severity: 'success',
              display: 'transient',
            });
            refresh();
          } catch (e) {
            fail(`Deleting ${deleting!.name}`, e);
          } finally {
            setDeleting(undefined);
          }
        }}
      />
      <TestResultDialog result={tested} onClose={() => setTested(undefined)} />
    </>
  );
}
