import type { TableColumn } from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/frontend-plugin-api';
import {
  FINAL_RUN_STATUSES,
  pipelineExecutePermission,
  type Run,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { usePermission } from '@backstage/plugin-permission-react';
import Button from '@material-ui/core/Button';
import { useState } from 'react';
import { ingestionApiRef } from '../../api/IngestionApi';
import { CursorTable } from '../common/CursorTable';
import {
  formatCost,
  formatDbus,
  formatDuration,
  formatNumber,
  formatTime,
  runDurationMs,
} from '../common/format';
import { RunStatus } from '../common/RunStatus';
import { useRunSignals } from '../common/useRunSignals';
import { RunLogsDialog } from './RunLogsDialog';

/**
 * A pipeline's runs, newest first: status, timings, rows, DBUs and cost, logs. "Run now" and
 * "Cancel" show only when the permission policy lets the user execute the pipeline (the backend
 * checks again on every call). Status changes arrive as signals and refetch the list.
 */
export function PipelineRuns(props: { pipelineId: string }) {
  const { pipelineId } = props;
  const api = useApi(ingestionApiRef);
  const alertApi = useApi(alertApiRef);
  const execute = usePermission({
    permission: pipelineExecutePermission,
    resourceRef: pipelineId,
  });
  // Bumped after a trigger or cancel so the list shows the new state.
  const [generation, setGeneration] = useState(0);
  const [busy, setBusy] = useState(false);
  const [logsOf, setLogsOf] = useState<Run>();
  // Runs changing status (queued, running, finished) refresh the list live, without polling.
  const signals = useRunSignals({ pipelineId });

  const act = async (what: string, call: () => Promise<Run>) => {
    setBusy(true);
    try {
      const run = await call();
      alertApi.post({
        message: `${what}: run ${run.id} is ${run.status}.`,
        severity: 'success',
        display: 'transient',
      });
      setGeneration(g => g + 1);
    } catch (e) {
      alertApi.post({
        message: `${what} failed: ${(e as Error).message}`,
        severity: 'error',
      });
    } finally {
      setBusy(false);
    }
  };

  const columns: TableColumn<Run>[] = [
    { title: 'Status', render: r => <RunStatus status={r.status} /> },
    { title: 'Version', field: 'pipelineVersion' },
    {
      title: 'Trigger',
      render: r => `${r.trigger} by ${r.triggeredBy}`,
    },
    { title: 'Queued', render: r => formatTime(r.queuedAt) },
    { title: 'Started', render: r => formatTime(r.startedAt) },
    { title: 'Finished', render: r => formatTime(r.finishedAt) },
    { title: 'Duration', render: r => formatDuration(runDurationMs(r)) },
    { title: 'Rows read', render: r => formatNumber(r.rowsRead) },
    { title: 'Rows written', render: r => formatNumber(r.rowsWritten) },
    {
      title: 'DBUs',
      render: r => formatDbus(r.dbus),
    },
    { title: 'Cost', render: r => formatCost(r.cost) },
    {
      title: 'Error',
      render: r => r.errorMessage ?? '',
    },
    {
      title: '',
      render: r => (
        <div style={{ display: 'flex', gap: 4 }}>
          <Button size="small" onClick={() => setLogsOf(r)}>
            Logs
          </Button>
          {execute.allowed && !FINAL_RUN_STATUSES.includes(r.status) && (
            <Button
              size="small"
              color="secondary"
              disabled={busy}
              onClick={() => act('Cancel', () => api.cancelRun(r.id))}
            >
              Cancel
            </Button>
          )}
        </div>
      ),
    },
  ];

  return (
    <>
      <CursorTable<Run>
        title="Runs"
        resource="The runs of this pipeline"
        columns={columns}
        deps={[pipelineId, generation, signals.generation]}
        fetchPage={cursor =>
          api.listPipelineRuns(pipelineId, { cursor, limit: 20 })
        }
        emptyMessage="This pipeline has not run yet."
        actions={
          execute.allowed && (
            <Button
              variant="contained"
              color="primary"
              disabled={busy}
              onClick={() => act('Run now', () => api.triggerRun(pipelineId))}
            >
              Run now
            </Button>
          )
        }
      />
      <RunLogsDialog run={logsOf} onClose={() => setLogsOf(undefined)} />
    </>
  );
}
