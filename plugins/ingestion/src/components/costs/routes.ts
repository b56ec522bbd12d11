import { createRouteRef } from '@backstage/frontend-plugin-api';

/** `/ingestion/costs?organization=<id>`: an organization's cost page (budget notifications link here). */
export const costsRouteRef = createRouteRef();

/** The cost page of one organization, under the page's own path. */
export const costPageLink = (base: string, organization: string) =>
  `${base}?organization=${encodeURIComponent(organization)}`;
