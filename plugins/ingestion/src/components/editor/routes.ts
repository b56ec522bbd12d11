import { createRouteRef } from '@backstage/frontend-plugin-api';

/** `/ingestion/pipelines/:pipelineId/edit`: the pipeline editor. */
export const editPipelineRouteRef = createRouteRef({ params: ['pipelineId'] });

/** `/ingestion/pipelines/new?organization=`: a new pipeline, without a template. */
export const newPipelineRouteRef = createRouteRef();
