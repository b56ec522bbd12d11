import type { TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type {
  Run,
  RunEvent,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import { ingestionApiRef } from '../../api/IngestionApi';
import { CursorTable } from '../common/CursorTable';
import { formatTime } from '../common/format';

const columns: TableColumn<RunEvent>[] = [
  { title: 'Time', render: e => formatTime(e.at), width: '200px' },
  { title: 'Level', field: 'level', width: '80px' },
  {
    title: 'Message',
    render: e => (
      <span style={{ whiteSpace: 'pre-wrap', fontFamily: 'monospace' }}>
        {e.kind === 'transition' && e.status ? `→ ${e.status}: ` : ''}
        {e.message}
      </span>
    ),
  },
];

/** A run's state transitions and log lines, oldest first, paged on the server. */
export function RunLogsDialog(props: { run?: Run; onClose(): void }) {
  const api = useApi(ingestionApiRef);
  const { run, onClose } = props;
  return (
    <Dialog open={Boolean(run)} onClose={onClose} maxWidth="lg" fullWidth>
      <DialogTitle>
        Logs of run {run?.id}
        {run?.attempt && run.attempt > 1 ? ` (attempt ${run.attempt})` : ''}
      </DialogTitle>
      <DialogContent>
        {run && (
          <CursorTable<RunEvent>
            title="Events"
            resource="The logs of this run"
            columns={columns}
            deps={[run.id]}
            fetchPage={cursor =>
              api.listRunLogs(run.id, { cursor, limit: 100 })
            }
            emptyMessage="This run has logged nothing yet."
          />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
