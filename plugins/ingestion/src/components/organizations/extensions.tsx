import {
  ApiBlueprint,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
  type ExtensionDefinition,
} from '@backstage/frontend-plugin-api';
import {
  OrganizationsClient,
  organizationsApiRef,
} from '../../api/OrganizationsApi';
import { organizationsRouteRef } from './routes';

/** The organization routes' client (`organizationsApiRef`). */
export const organizationsApi = ApiBlueprint.make({
  name: 'organizations',
  params: defineParams =>
    defineParams({
      api: organizationsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new OrganizationsClient(deps),
    }),
});

/** `/ingestion/organizations`: organizations at run time, for platform admins. */
export const organizationsPage = PageBlueprint.make({
  name: 'organizations',
  params: {
    path: '/ingestion/organizations',
    routeRef: organizationsRouteRef,
    noHeader: true,
    loader: () =>
      import('./OrganizationsPage').then(m => <m.OrganizationsPage />),
  },
});

/** The organizations page and its API, added to the plugin as one list. */
export const organizationExtensions: ExtensionDefinition[] = [
  organizationsApi,
  organizationsPage,
];
