import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import StorageIcon from '@material-ui/icons/Storage';
import { IngestionClient, ingestionApiRef } from './api/IngestionApi';
import { adminExtensions } from './components/admin/extensions';
import { costExtensions } from './components/costs/extensions';
import { dashboardApi } from './components/dashboard/extensions';
import { editorExtensions } from './components/editor/extensions';
import {
  editPipelineRouteRef,
  newPipelineRouteRef,
} from './components/editor/routes';
import { pageExtensions } from './components/extensions';
import { exploreExtensions } from './components/explore/extensions';
import { organizationExtensions } from './components/organizations/extensions';
import { pipelineRouteRef, rootRouteRef } from './routes';
import {
  costEstimateFormField,
  organizationPickerFormField,
} from './scaffolder/extensions';

const ingestionApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: ingestionApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new IngestionClient(deps),
    }),
});

const ingestionPage = PageBlueprint.make({
  params: {
    path: '/ingestion',
    title: 'Ingestion',
    icon: <StorageIcon />,
    routeRef: rootRouteRef,
    noHeader: true,
    loader: () =>
      import('./components/IngestionPage').then(m => <m.IngestionPage />),
  },
});

/**
 * The Ingestion frontend plugin (new frontend system).
 *
 * @public
 */
export const ingestionPlugin = createFrontendPlugin({
  pluginId: 'ingestion',
  info: { packageJson: () => import('../package.json') },
  extensions: [
    ingestionApi,
    dashboardApi,
    ingestionPage,
    ...pageExtensions,
    ...costExtensions,
    ...adminExtensions,
    ...exploreExtensions,
    ...organizationExtensions,
    ...editorExtensions,
    organizationPickerFormField,
    costEstimateFormField,
  ],
  routes: {
    root: rootRouteRef,
    pipeline: pipelineRouteRef,
    editPipeline: editPipelineRouteRef,
    newPipeline: newPipelineRouteRef,
  },
});
