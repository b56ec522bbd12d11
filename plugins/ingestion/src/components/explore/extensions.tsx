import {
  ApiBlueprint,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
  type ExtensionDefinition,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { ExploreClient, exploreApiRef } from '../../api/ExploreApi';
import { lineageRouteRef, qualityRouteRef } from './routes';

/** The explore views' client (`plugin.ingestion.explore`), on the plugin's HTTP transport. */
const exploreApi = ApiBlueprint.make({
  name: 'explore',
  params: defineParams =>
    defineParams({
      api: exploreApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new ExploreClient(deps),
    }),
});

/** `/ingestion/lineage`: the lineage explorer. */
const lineagePage = PageBlueprint.make({
  name: 'lineage',
  params: {
    path: '/ingestion/lineage',
    routeRef: lineageRouteRef,
    noHeader: true,
    loader: () =>
      import('./lineage/LineageExplorerPage').then(m => (
        <m.LineageExplorerPage />
      )),
  },
});

/** `/ingestion/quality`: an organization's quality monitor. */
const qualityPage = PageBlueprint.make({
  name: 'quality',
  params: {
    path: '/ingestion/quality',
    routeRef: qualityRouteRef,
    noHeader: true,
    loader: () =>
      import('./quality/QualityMonitorPage').then(m => (
        <m.QualityMonitorPage />
      )),
  },
});

/** The "Lineage" tab of `data-pipeline` Components and `iceberg-table` Resources. */
const lineageEntityContent = EntityContentBlueprint.make({
  name: 'lineage',
  params: {
    path: 'lineage',
    title: 'Lineage',
    filter: {
      $any: [
        { kind: 'component', 'spec.type': 'data-pipeline' },
        { kind: 'resource', 'spec.type': 'iceberg-table' },
      ],
    },
    loader: () =>
      import('./lineage/LineageEntityContent').then(m => (
        <m.LineageEntityContent />
      )),
  },
});

/** The explore views' extensions (lineage explorer, quality monitor), added to the plugin as one list. */
export const exploreExtensions: ExtensionDefinition[] = [
  exploreApi,
  lineagePage,
  qualityPage,
  lineageEntityContent,
];
