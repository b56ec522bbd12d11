import { PageBlueprint } from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { pipelineRouteRef } from '../routes';

/** Catalog entities the product's tabs and cards belong on (see the catalog module). */
const dataPipelineComponents = {
  kind: 'component',
  'spec.type': 'data-pipeline',
};
const icebergTableResources = {
  kind: 'resource',
  'spec.type': 'iceberg-table',
};

/** `/ingestion/pipelines/:pipelineId`, the URL the scaffolder's register action returns. */
export const pipelinePage = PageBlueprint.make({
  name: 'pipeline',
  params: {
    path: '/ingestion/pipelines/:pipelineId',
    routeRef: pipelineRouteRef,
    noHeader: true,
    loader: () => import('./PipelinePage').then(m => <m.PipelinePage />),
  },
});

/** The "Ingestion" tab of `data-pipeline` Components: runs, quality and cost. */
export const pipelineEntityContent = EntityContentBlueprint.make({
  name: 'pipeline',
  params: {
    path: 'ingestion',
    title: 'Ingestion',
    filter: dataPipelineComponents,
    loader: () =>
      import('./PipelineEntityContent').then(m => <m.PipelineEntityContent />),
  },
});

/** The latest runs on the overview of `data-pipeline` Components. */
export const pipelineRunsEntityCard = EntityCardBlueprint.make({
  name: 'pipeline-runs',
  params: {
    filter: dataPipelineComponents,
    loader: () =>
      import('./PipelineEntityContent').then(m => <m.PipelineRunsCard />),
  },
});

/** The "Iceberg table" tab of `iceberg-table` Resources: schema, snapshots, partitions, properties. */
export const tableEntityContent = EntityContentBlueprint.make({
  name: 'iceberg-table',
  params: {
    path: 'iceberg',
    title: 'Iceberg table',
    filter: icebergTableResources,
    loader: () =>
      import('./TableEntityContent').then(m => <m.TableEntityContent />),
  },
});

export const pageExtensions = [
  pipelinePage,
  pipelineEntityContent,
  pipelineRunsEntityCard,
  tableEntityContent,
];
