import { InfoCard, type TableColumn } from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/frontend-plugin-api';
import {
  pipelineUpdatePermission,
  type PipelineDetails,
  type PipelineVersion,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { usePermission } from '@backstage/plugin-permission-react';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import { useState } from 'react';
import { ingestionApiRef } from '../../api/IngestionApi';
import { CursorTable } from '../common/CursorTable';
import { formatTime } from '../common/format';
import { SpecDiff } from './SpecDiff';

/**
 * Every version of a pipeline, newest first; the diff of two versions; and, for users the
 * policy lets update the pipeline, rollback (a new version equal to an old one).
 */
export function PipelineVersions(props: {
  pipeline: Pick<PipelineDetails, 'id' | 'currentVersion'>;
  onRolledBack(pipeline: PipelineDetails): void;
}) {
  const { id, currentVersion } = props.pipeline;
  const api = useApi(ingestionApiRef);
  const alertApi = useApi(alertApiRef);
  const update = usePermission({
    permission: pipelineUpdatePermission,
    resourceRef: id,
  });
  const [diff, setDiff] = useState<{ from: number; to: number }>();
  const [rollbackTo, setRollbackTo] = useState<number>();
  const [busy, setBusy] = useState(false);

  const rollback = async (version: number) => {
    setBusy(true);
    try {
      const pipeline = await api.rollbackPipeline(id, {
        version,
        // Optimistic concurrency: refused if someone saved a version meanwhile.
        expectedVersion: currentVersion,
        comment: `Rollback to version ${version}`,
      });
      alertApi.post({
        message: `Rolled back: version ${pipeline.currentVersion} has the spec of version ${version}.`,
        severity: 'success',
        display: 'transient',
      });
      setRollbackTo(undefined);
      props.onRolledBack(pipeline);
    } catch (e) {
      alertApi.post({
        message: `Rollback failed: ${(e as Error).message}`,
        severity: 'error',
      });
    } finally {
      setBusy(false);
    }
  };

  const columns: TableColumn<PipelineVersion>[] = [
    {
      title: 'Version',
      render: v => (
        <>
          {v.version}{' '}
          {v.version === currentVersion && (
            <Chip size="small" label="current" color="primary" />
          )}
        </>
      ),
    },
    { title: 'Saved', render: v => formatTime(v.createdAt) },
    { title: 'By', field: 'createdBy' },
    {
      title: 'Comment',
      render: v =>
        [
          v.comment,
          v.restoredFromVersion &&
            `(restores version ${v.restoredFromVersion})`,
        ]
          .filter(Boolean)
          .join(' '),
    },
    { title: 'Spec hash', render: v => v.specHash.slice(0, 12) },
    {
      title: '',
      render: v => (
        <div style={{ display: 'flex', gap: 4 }}>
          {v.version > 1 && (
            <Button
              size="small"
              onClick={() => setDiff({ from: v.version - 1, to: v.version })}
            >
              Changes
            </Button>
          )}
          {v.version !== currentVersion && (
            <Button
              size="small"
              onClick={() => setDiff({ from: v.version, to: currentVersion })}
            >
              Compare with current
            </Button>
          )}
          {update.allowed && v.version !== currentVersion && (
            <Button
              size="small"
              color="secondary"
              onClick={() => setRollbackTo(v.version)}
            >
              Roll back to this
            </Button>
          )}
        </div>
      ),
    },
  ];

  return (
    <>
      <CursorTable<PipelineVersion>
        title="Versions"
        resource="The versions of this pipeline"
        columns={columns}
        deps={[id, currentVersion]}
        fetchPage={cursor =>
          api.listPipelineVersions(id, { cursor, limit: 20 })
        }
        emptyMessage="No versions."
      />
      {diff && (
        <div style={{ marginTop: 24 }}>
          <InfoCard
            title={`Version ${diff.from} → version ${diff.to}`}
            action={<Button onClick={() => setDiff(undefined)}>Close</Button>}
          >
            <SpecDiff pipelineId={id} from={diff.from} to={diff.to} />
          </InfoCard>
        </div>
      )}
      <Dialog
        open={rollbackTo !== undefined}
        onClose={() => setRollbackTo(undefined)}
      >
        <DialogTitle>Roll back to version {rollbackTo}?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            This saves version {currentVersion + 1} with the spec of version{' '}
            {rollbackTo}. Nothing is deleted: version {currentVersion} stays in
            the history. A deployed Databricks job keeps its version until it is
            deployed again.
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setRollbackTo(undefined)}>Keep</Button>
          <Button
            color="secondary"
            variant="contained"
            disabled={busy}
            onClick={() => rollback(rollbackTo!)}
          >
            Roll back
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
