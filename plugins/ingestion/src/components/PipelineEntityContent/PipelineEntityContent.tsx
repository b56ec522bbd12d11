import { InfoCard, Link, Progress } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { ANNOTATION_PIPELINE_ID } from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { ingestionApiRef } from '../../api/IngestionApi';
import { pipelineRouteRef } from '../../routes';
import { ApiErrorPanel } from '../common/ApiErrorPanel';
import { PipelineCost } from '../pipeline/PipelineCost';
import { PipelineQuality } from '../pipeline/PipelineQuality';
import { PipelineRuns } from '../pipeline/PipelineRuns';

/**
 * The "Ingestion" tab of a `data-pipeline` Component: the pipeline named by its
 * `ingestion.backstage.io/pipeline-id` annotation, with its runs, quality and cost.
 */
export function PipelineEntityContent() {
  const { entity } = useEntity();
  const pipelineId = entity.metadata.annotations?.[ANNOTATION_PIPELINE_ID];
  const api = useApi(ingestionApiRef);
  const pipelineLink = useRouteRef(pipelineRouteRef);
  const {
    value: pipeline,
    loading,
    error,
  } = useAsync(
    async () => (pipelineId ? api.getPipeline(pipelineId) : undefined),
    [api, pipelineId],
  );
  if (!pipelineId) {
    return <MissingAnnotationEmptyState annotation={ANNOTATION_PIPELINE_ID} />;
  }
  if (loading) return <Progress />;
  if (error || !pipeline) {
    return <ApiErrorPanel error={error!} resource="This pipeline" />;
  }
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <InfoCard title={pipeline.name}>
          <Typography>
            {pipeline.pipelineType} pipeline on the {pipeline.engine} engine,
            version {pipeline.currentVersion}
            {pipeline.schedule ? `, scheduled ${pipeline.schedule}` : ''}.{' '}
            {pipelineLink && (
              <Link to={pipelineLink({ pipelineId: pipeline.id })}>
                Open the pipeline page
              </Link>
            )}{' '}
            for its spec, versions and rollback.
          </Typography>
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <PipelineRuns pipelineId={pipeline.id} />
      </Grid>
      <Grid item xs={12}>
        <PipelineQuality pipelineId={pipeline.id} />
      </Grid>
      <Grid item xs={12}>
        <PipelineCost pipeline={pipeline} />
      </Grid>
    </Grid>
  );
}
