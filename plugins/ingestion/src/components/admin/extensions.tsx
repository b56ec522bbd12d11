import {
  ApiBlueprint,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
  type ExtensionDefinition,
} from '@backstage/frontend-plugin-api';
import { AdminClient, adminApiRef } from '../../api/AdminApi';
import { adminRouteRef } from './routes';

/** The admin console's client (connections, quota usage, role groups, audit log). */
export const adminApi = ApiBlueprint.make({
  name: 'admin',
  params: defineParams =>
    defineParams({
      api: adminApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new AdminClient(deps),
    }),
});

/** `/ingestion/admin?organization=&tab=`: the admin console of one organization at a time. */
export const adminPage = PageBlueprint.make({
  name: 'admin',
  params: {
    path: '/ingestion/admin',
    routeRef: adminRouteRef,
    noHeader: true,
    loader: () => import('./AdminPage').then(m => <m.AdminPage />),
  },
});

/** The admin views' extensions (pages, entity cards, their API), added to the plugin as one list. */
export const adminExtensions: ExtensionDefinition[] = [adminApi, adminPage];
