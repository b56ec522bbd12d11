import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  OrganizationSummary,
  Page,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/**
 * Client of the ingestion backend's HTTP API (`/api/ingestion/v1`).
 *
 * @public
 */
export interface IngestionApi {
  listOrganizations(): Promise<Page<OrganizationSummary>>;
}

/** @public */
export const ingestionApiRef = createApiRef<IngestionApi>({
  id: 'plugin.ingestion.api',
});

/**
 * The default {@link IngestionApi}: `fetchApi` attaches the user's token; non-2xx answers are
 * thrown as `ResponseError`s that carry the server's message.
 *
 * @public
 */
export class IngestionClient implements IngestionApi {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  listOrganizations(): Promise<Page<OrganizationSummary>> {
    return this.get('/organizations');
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('ingestion');
    const response = await this.options.fetchApi.fetch(`${baseUrl}/v1${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
