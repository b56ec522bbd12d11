import { createRouteRef } from '@backstage/frontend-plugin-api';

/** `/ingestion/organizations`: platform admins create, edit and retire organizations. */
export const organizationsRouteRef = createRouteRef();
