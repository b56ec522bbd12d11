import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import { errorMessage } from '../costs/errorMessage';
import { useState } from 'react';
import type { OrganizationRecord } from '../../api/OrganizationsApi';

/** Asks before retiring, saying what retiring does and does not do. */
export function RetireDialog(props: {
  organization: OrganizationRecord;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const { organization, onConfirm, onClose } = props;
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };
  return (
    <Dialog open onClose={onClose} aria-labelledby="retire-title">
      <DialogTitle id="retire-title">Retire {organization.name}?</DialogTitle>
      <DialogContent>
        <DialogContentText>
          Its schedules stop, its catalog System goes, and nobody but platform
          admins sees it any more: its members lose access to its pipelines,
          tables, costs and console. Its data and audit log are kept. The id{' '}
          <strong>{organization.id}</strong> is never reused, and retiring
          cannot be undone here.
        </DialogContentText>
        {error && (
          <Typography color="error" role="alert">
            {error}
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button
          onClick={confirm}
          color="secondary"
          variant="contained"
          disabled={busy}
        >
          Retire
        </Button>
      </DialogActions>
    </Dialog>
  );
}
