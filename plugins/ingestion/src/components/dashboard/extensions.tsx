import {
  ApiBlueprint,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { DashboardClient, dashboardApiRef } from '../../api/DashboardApi';

/** The organization dashboard routes' client (`dashboardApiRef`). */
export const dashboardApi = ApiBlueprint.make({
  name: 'dashboard',
  params: defineParams =>
    defineParams({
      api: dashboardApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new DashboardClient(deps),
    }),
});
