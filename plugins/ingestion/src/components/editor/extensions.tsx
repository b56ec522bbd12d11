import {
  ApiBlueprint,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
  type ExtensionDefinition,
} from '@backstage/frontend-plugin-api';
import { EditorClient, editorApiRef } from '../../api/EditorApi';
import { editPipelineRouteRef, newPipelineRouteRef } from './routes';

/** The editor's client (`editorApiRef`): validation, preview, create and save. */
export const editorApi = ApiBlueprint.make({
  name: 'editor',
  params: defineParams =>
    defineParams({
      api: editorApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new EditorClient(deps),
    }),
});

/** `/ingestion/pipelines/:pipelineId/edit`: the pipeline editor. */
export const editPipelinePage = PageBlueprint.make({
  name: 'pipeline-editor',
  params: {
    path: '/ingestion/pipelines/:pipelineId/edit',
    routeRef: editPipelineRouteRef,
    noHeader: true,
    loader: () =>
      import('./EditPipelinePage').then(m => <m.EditPipelinePage />),
  },
});

/** `/ingestion/pipelines/new?organization=`: a new pipeline in the same editor. */
export const newPipelinePage = PageBlueprint.make({
  name: 'new-pipeline',
  params: {
    path: '/ingestion/pipelines/new',
    routeRef: newPipelineRouteRef,
    noHeader: true,
    loader: () => import('./NewPipelinePage').then(m => <m.NewPipelinePage />),
  },
});

/** The editor's pages and API, added to the plugin as one list. */
export const editorExtensions: ExtensionDefinition[] = [
  editorApi,
  editPipelinePage,
  newPipelinePage,
];
