import { formatPipelineSpecText } from '@ingestion-for-backstage/plugin-ingestion-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useMemo, useState } from 'react';
import { DiffLines } from '../pipeline/SpecDiff';
import { lineDiff } from '../pipeline/lineDiff';

/**
 * Before saving: the draft against the current version as a line diff of their YAML, and a
 * comment for the version history. Saving makes version `nextVersion`; nothing is overwritten.
 */
export function SaveDialog(props: {
  open: boolean;
  /** The current version's spec; undefined for a new pipeline. */
  before?: unknown;
  currentVersion?: number;
  after: unknown;
  busy: boolean;
  /** Why the last attempt failed (a conflict, a refusal), shown above the buttons. */
  error?: string;
  onSave(comment: string): void;
  onClose(): void;
}) {
  const { open, before, after, currentVersion } = props;
  const [comment, setComment] = useState('');
  const lines = useMemo(
    () =>
      lineDiff(
        before === undefined ? '' : formatPipelineSpecText(before),
        formatPipelineSpecText(after),
      ),
    [before, after],
  );
  const added = lines.filter(line => line.kind === 'added').length;
  const removed = lines.filter(line => line.kind === 'removed').length;
  const nextVersion = (currentVersion ?? 0) + 1;
  const unchanged = before !== undefined && added === 0 && removed === 0;
  return (
    <Dialog
      open={open}
      onClose={props.onClose}
      maxWidth="md"
      fullWidth
      aria-labelledby="save-dialog-title"
    >
      <DialogTitle id="save-dialog-title">
        {currentVersion === undefined
          ? 'Create the pipeline at version 1?'
          : `Save version ${nextVersion}?`}
      </DialogTitle>
      <DialogContent>
        <Typography variant="body2" gutterBottom>
          {currentVersion === undefined
            ? `The new spec, ${added} lines.`
            : `Changes against version ${currentVersion}: ${added} line${
                added === 1 ? '' : 's'
              } added, ${removed} removed. Version ${currentVersion} stays in the history.`}
        </Typography>
        {unchanged ? (
          <Typography>
            The draft has the spec of version {currentVersion}.
          </Typography>
        ) : (
          <DiffLines
            lines={lines}
            label={
              currentVersion === undefined
                ? 'Spec of the new pipeline'
                : `Diff of version ${currentVersion} and the draft`
            }
          />
        )}
        <TextField
          id="save-comment"
          label="Comment (for the version history)"
          fullWidth
          variant="outlined"
          size="small"
          style={{ marginTop: 16 }}
          inputProps={{ maxLength: 500 }}
          value={comment}
          onChange={e => setComment(e.target.value)}
        />
        {props.error && (
          <Typography color="error" role="alert" style={{ marginTop: 16 }}>
            {props.error}
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Keep editing</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={props.busy || unchanged}
          onClick={() => props.onSave(comment.trim())}
        >
          {currentVersion === undefined
            ? 'Create pipeline'
            : `Save version ${nextVersion}`}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
