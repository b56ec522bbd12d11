import { createRouteRef } from '@backstage/frontend-plugin-api';

export const rootRouteRef = createRouteRef();

/** `/ingestion/pipelines/:pipelineId`: one pipeline's page (the scaffolder's portal URL). */
export const pipelineRouteRef = createRouteRef({ params: ['pipelineId'] });
