import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
  type TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type { Run } from '@ingestion-for-backstage/plugin-ingestion-common';
import { ingestionApiRef } from '../../api/IngestionApi';
import { CursorTable } from './CursorTable';

function RunStatus({ status }: { status: Run['status'] }) {
  switch (status) {
    case 'succeeded':
      return <StatusOK>succeeded</StatusOK>;
    case 'failed':
      return <StatusError>failed</StatusError>;
    case 'quality_failed':
      return <StatusWarning>quality failed</StatusWarning>;
    case 'running':
    case 'submitted':
      return <StatusRunning>{status}</StatusRunning>;
    default:
      return <StatusPending>{status}</StatusPending>;
  }
}

const columns: TableColumn<Run>[] = [
  { title: 'Status', render: r => <RunStatus status={r.status} /> },
  { title: 'Organization', field: 'organization' },
  { title: 'Pipeline', field: 'pipelineId' },
  { title: 'Version', field: 'pipelineVersion' },
  { title: 'Queued', render: r => new Date(r.queuedAt).toLocaleString() },
  { title: 'Rows written', render: r => r.rowsWritten ?? '—' },
  {
    title: 'Duration',
    render: r =>
      r.durationMs === undefined
        ? '—'
        : `${(r.durationMs / 1000).toFixed(1)} s`,
  },
  { title: 'Triggered by', field: 'triggeredBy' },
];

/** The latest runs of the pipelines the signed-in user may read. */
export function RunsTable(props: { organization?: string }) {
  const api = useApi(ingestionApiRef);
  return (
    <CursorTable<Run>
      title="Runs"
      columns={columns}
      deps={[props.organization]}
      fetchPage={cursor =>
        api.listRuns({ organization: props.organization, cursor, limit: 20 })
      }
      emptyMessage="No runs yet."
    />
  );
}
