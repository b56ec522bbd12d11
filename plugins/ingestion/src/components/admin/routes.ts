import { createRouteRef } from '@backstage/frontend-plugin-api';

/** `/ingestion/admin`: the admin console (`?organization=&tab=`). */
export const adminRouteRef = createRouteRef();
