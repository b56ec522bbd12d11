import {
  ApiBlueprint,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
  type ExtensionDefinition,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { ANNOTATION_ORGANIZATION } from '@ingestion-for-backstage/plugin-ingestion-common';
import { CostsClient, costsApiRef } from '../../api/CostsApi';
import { costsRouteRef } from './routes';

/** Entities of an organization of this kind (the catalog module annotates Groups and Systems). */
const organizationEntity =
  (kind: string) =>
  (entity: {
    kind: string;
    metadata: { annotations?: Record<string, string> };
  }) =>
    entity.kind.toLocaleLowerCase('en-US') === kind &&
    Boolean(entity.metadata.annotations?.[ANNOTATION_ORGANIZATION]);

/** The spend routes' client (`costsApiRef`). */
export const costsApi = ApiBlueprint.make({
  name: 'costs',
  params: defineParams =>
    defineParams({
      api: costsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new CostsClient(deps),
    }),
});

/** The team's spend on Group pages: pipelines the group and its sub-groups own. */
export const teamCostCard = EntityCardBlueprint.make({
  name: 'team-cost',
  params: {
    filter: organizationEntity('group'),
    loader: () => import('./CostCard').then(m => <m.EntityCostCard />),
  },
});

/** The organization's spend on its System (the data platform) page. */
export const organizationCostCard = EntityCardBlueprint.make({
  name: 'organization-cost',
  params: {
    filter: organizationEntity('system'),
    loader: () => import('./CostCard').then(m => <m.EntityCostCard />),
  },
});

/** `/ingestion/costs?organization=<id>`: spend by tag, chargeback, budgets, cost per good row. */
export const costPage = PageBlueprint.make({
  name: 'costs',
  params: {
    path: '/ingestion/costs',
    routeRef: costsRouteRef,
    noHeader: true,
    loader: () => import('./CostPage').then(m => <m.CostPage />),
  },
});

/** The costs views' extensions (pages, entity cards, their API), added to the plugin as one list. */
export const costExtensions: ExtensionDefinition[] = [
  costsApi,
  teamCostCard,
  organizationCostCard,
  costPage,
];
