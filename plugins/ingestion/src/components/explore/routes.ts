import { createRouteRef } from '@backstage/frontend-plugin-api';

/** `/ingestion/lineage?organization=&pipeline=|dataset=|entity=`: the lineage explorer. */
export const lineageRouteRef = createRouteRef();

/** `/ingestion/quality?organization=`: an organization's quality monitor. */
export const qualityRouteRef = createRouteRef();
