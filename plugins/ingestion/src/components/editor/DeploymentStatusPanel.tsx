import { Progress, WarningPanel } from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/frontend-plugin-api';
import { pipelineUpdatePermission } from '@ingestion-for-backstage/plugin-ingestion-common';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  editorApiRef,
  serverMessage,
  type DeploymentStatus,
} from '../../api/EditorApi';
import { errorStatus } from '../common/ApiErrorPanel';

function RedeployButton(props: {
  pipelineId: string;
  label: string;
  onDeployed(status: DeploymentStatus): void;
}) {
  const editorApi = useApi(editorApiRef);
  const alertApi = useApi(alertApiRef);
  const [busy, setBusy] = useState(false);
  const redeploy = async () => {
    setBusy(true);
    try {
      const result = await editorApi.redeployPipeline(props.pipelineId);
      alertApi.post({
        message: `Deployed version ${result.version} to Databricks job ${
          result.jobId
        } (${result.created ? 'created' : 'updated in place'}).`,
        severity: 'success',
        display: 'transient',
      });
      props.onDeployed(result.status);
    } catch (e) {
      const status = errorStatus(e);
      const why =
        status === 503
          ? `the organization's Databricks workspace could not be reached, nothing was changed (${serverMessage(
              e,
            )})`
          : serverMessage(e);
      alertApi.post({ message: `Not deployed: ${why}`, severity: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button
      variant="outlined"
      color="primary"
      disabled={busy}
      onClick={redeploy}
    >
      {busy ? 'Deploying…' : props.label}
    </Button>
  );
}

/**
 * Where the pipeline's Databricks job stands: the version it runs, whether it is behind the
 * current version (or the effective spec the environment's masks make of it), and, for users who
 * may update the pipeline, **Redeploy** (the scaffolder deploy action's code path on the
 * backend). Nothing for pipelines of organizations on another engine that were never deployed.
 */
export function DeploymentStatusPanel(props: {
  pipelineId: string;
  /** Changes when a version was saved, so the status is asked again. */
  version?: number;
}) {
  const { pipelineId, version } = props;
  const editorApi = useApi(editorApiRef);
  const update = usePermission({
    permission: pipelineUpdatePermission,
    resourceRef: pipelineId,
  });
  const { value, loading, error, retry } = useAsyncRetry(
    () => editorApi.getDeploymentStatus(pipelineId),
    [editorApi, pipelineId, version],
  );
  const [deployed, setDeployed] = useState<DeploymentStatus>();
  useEffect(() => setDeployed(undefined), [pipelineId, version]);
  const status = deployed ?? value;

  if (loading) return <Progress />;
  if (error) {
    return (
      <Typography variant="body2" color="textSecondary">
        The Databricks deployment status could not be read (
        {serverMessage(error)}
        ).{' '}
        <Button size="small" onClick={retry}>
          Try again
        </Button>
      </Typography>
    );
  }
  if (!status || (!status.deployed && status.engine !== 'databricks')) {
    return null;
  }
  const redeploy = update.allowed ? (
    <RedeployButton
      pipelineId={pipelineId}
      label={status.deployed ? 'Redeploy' : 'Deploy'}
      onDeployed={setDeployed}
    />
  ) : null;
  const job = status.deployment;
  if (!status.deployed || !job) {
    return (
      <Box display="flex" alignItems="center" style={{ gap: 16 }}>
        <Typography variant="body2">
          Not deployed to the organization's Databricks workspace yet.
        </Typography>
        {redeploy}
      </Box>
    );
  }
  if (!status.behind) {
    return (
      <Typography variant="body2" color="textSecondary">
        Databricks job {job.databricksJobId} runs version {job.deployedVersion},
        the current one.
      </Typography>
    );
  }
  const title =
    status.behindReason === 'spec'
      ? `The Databricks job is behind: it was generated from an older effective spec of version ${job.deployedVersion}`
      : `The Databricks job is behind: it runs version ${job.deployedVersion}, the pipeline is at version ${status.currentVersion}`;
  return (
    <WarningPanel severity="warning" title={title} defaultExpanded>
      <Box display="flex" alignItems="center" style={{ gap: 16 }}>
        <Typography variant="body2">
          Job {job.databricksJobId}'s own scheduled runs keep the old spec until
          it is deployed again; runs started from this portal use the current
          version.
          {!update.allowed &&
            ' Engineers and admins of the organization can redeploy it.'}
        </Typography>
        {redeploy}
      </Box>
    </WarningPanel>
  );
}
