import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import { useState, type FormEvent } from 'react';
import type {
  Connection,
  ConnectionTestResult,
  ConnectionUsage,
} from '../../../api/AdminApi';
import { secretLabel, serverMessage } from './connectionFields';

/** Replaces a connection's secret: typed into a password input, sent once, never shown. */
export function RotateSecretDialog(props: {
  connection?: Connection;
  onClose(): void;
  onRotate(password: string): Promise<void>;
}) {
  const { connection, onClose, onRotate } = props;
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const close = () => {
    setPassword('');
    setError(undefined);
    onClose();
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!password) {
      setError('Required');
      return;
    }
    setBusy(true);
    try {
      await onRotate(password);
      setPassword('');
      setError(undefined);
    } catch (e) {
      setError(serverMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={Boolean(connection)} onClose={close} fullWidth maxWidth="xs">
      <form onSubmit={submit} noValidate aria-label="Rotate secret">
        <DialogTitle>Rotate the secret of {connection?.name}</DialogTitle>
        <DialogContent>
          <DialogContentText>
            Runs that start after the rotation use the new secret. Change it at
            the source first.
          </DialogContentText>
          <TextField
            id="rotate-password"
            label={`New ${
              connection ? secretLabel(connection.type).toLowerCase() : 'secret'
            }`}
            type="password"
            autoComplete="new-password"
            required
            value={password}
            onChange={e => setPassword(e.target.value)}
            error={Boolean(error)}
            helperText={error ?? 'Stored encrypted and never shown again'}
            fullWidth
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={close} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" color="primary" disabled={busy}>
            Rotate
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

/** Confirms a deletion, naming the pipelines that would lose their connection. */
export function DeleteConnectionDialog(props: {
  connection?: Connection;
  usage?: ConnectionUsage;
  onClose(): void;
  onDelete(): Promise<void>;
}) {
  const { connection, usage, onClose, onDelete } = props;
  const [busy, setBusy] = useState(false);
  const users = usage?.pipelines ?? [];
  return (
    <Dialog
      open={Boolean(connection)}
      onClose={onClose}
      fullWidth
      maxWidth="xs"
    >
      <DialogTitle>Delete {connection?.name}?</DialogTitle>
      <DialogContent>
        <DialogContentText>
          {users.length
            ? `${users.length} pipeline${
                users.length === 1 ? '' : 's'
              } read through it (${users
                .map(p => p.name)
                .join(', ')}); their runs will fail until it exists again.`
            : 'No pipeline reads through it.'}{' '}
          Its secret is destroyed; this cannot be undone.
        </DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button
          color="secondary"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await onDelete();
            } finally {
              setBusy(false);
            }
          }}
        >
          Delete
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** What a connection test found: reached or not, the driver's reason, how long it took. */
export function TestResultDialog(props: {
  result?: { connection: Connection; outcome: ConnectionTestResult };
  onClose(): void;
}) {
  const { result, onClose } = props;
  const outcome = result?.outcome;
  let title = '';
  if (outcome) {
    if (!outcome.testable) title = 'Not testable';
    else title = outcome.ok ? 'Connection works' : 'Connection failed';
  }
  return (
    <Dialog open={Boolean(result)} onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>
        {result?.connection.name}: {title}
      </DialogTitle>
      <DialogContent>
        <DialogContentText role="status">
          {outcome?.message}
          {outcome?.testable && ` (${Math.round(outcome.latencyMs)} ms)`}
        </DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} color="primary">
          Close
        </Button>
      </DialogActions>
    </Dialog>
  );
}
