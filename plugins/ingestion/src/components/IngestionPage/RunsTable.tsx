import { Link, type TableColumn } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import type { Run } from '@ingestion-for-backstage/plugin-ingestion-common';
import { ingestionApiRef } from '../../api/IngestionApi';
import { pipelineRouteRef } from '../../routes';
import { CursorTable } from '../common/CursorTable';
import {
  formatDuration,
  formatNumber,
  formatTime,
  runDurationMs,
} from '../common/format';
import { RunStatus } from '../common/RunStatus';

/** The latest runs of the pipelines the signed-in user may read. */
export function RunsTable(props: { organization?: string }) {
  const api = useApi(ingestionApiRef);
  const pipelineLink = useRouteRef(pipelineRouteRef);
  const columns: TableColumn<Run>[] = [
    { title: 'Status', render: r => <RunStatus status={r.status} /> },
    { title: 'Organization', field: 'organization' },
    {
      title: 'Pipeline',
      render: r =>
        pipelineLink ? (
          <Link to={pipelineLink({ pipelineId: r.pipelineId })}>
            {r.pipelineId}
          </Link>
        ) : (
          r.pipelineId
        ),
    },
    { title: 'Version', field: 'pipelineVersion' },
    { title: 'Queued', render: r => formatTime(r.queuedAt) },
    { title: 'Rows written', render: r => formatNumber(r.rowsWritten) },
    { title: 'Duration', render: r => formatDuration(runDurationMs(r)) },
    { title: 'Triggered by', field: 'triggeredBy' },
  ];
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
