import { InfoCard, Progress } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { ANNOTATION_PIPELINE_ID } from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { ingestionApiRef } from '../../api/IngestionApi';
import { pipelineRouteRef } from '../../routes';
import { ApiErrorPanel } from '../common/ApiErrorPanel';
import {
  formatCost,
  formatDuration,
  formatNumber,
  formatTime,
  runDurationMs,
} from '../common/format';
import { RunStatus } from '../common/RunStatus';

const LATEST = 5;

/** The overview card of a `data-pipeline` Component: its latest runs at a glance. */
export function PipelineRunsCard() {
  const { entity } = useEntity();
  const pipelineId = entity.metadata.annotations?.[ANNOTATION_PIPELINE_ID];
  const api = useApi(ingestionApiRef);
  const pipelineLink = useRouteRef(pipelineRouteRef);
  const { value, loading, error } = useAsync(
    async () =>
      pipelineId
        ? api.listPipelineRuns(pipelineId, { limit: LATEST })
        : undefined,
    [api, pipelineId],
  );
  const deepLink =
    pipelineId && pipelineLink
      ? {
          title: 'All runs',
          link: `${pipelineLink({ pipelineId })}?tab=runs`,
        }
      : undefined;
  let body;
  if (!pipelineId) {
    body = <MissingAnnotationEmptyState annotation={ANNOTATION_PIPELINE_ID} />;
  } else if (loading) {
    body = <Progress />;
  } else if (error) {
    body = <ApiErrorPanel error={error} resource="The runs of this pipeline" />;
  } else if (!value?.items.length) {
    body = <Typography>This pipeline has not run yet.</Typography>;
  } else {
    body = (
      <List dense>
        {value.items.map(run => (
          <ListItem key={run.id}>
            <ListItemText
              primary={
                <>
                  <RunStatus status={run.status} /> {formatTime(run.queuedAt)}
                </>
              }
              secondary={`version ${run.pipelineVersion} · ${formatNumber(
                run.rowsWritten,
              )} rows · ${formatDuration(runDurationMs(run))} · ${formatCost(
                run.cost,
              )}`}
            />
          </ListItem>
        ))}
      </List>
    );
  }
  return (
    <InfoCard title="Latest runs" deepLink={deepLink}>
      {body}
    </InfoCard>
  );
}
