import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  OrganizationSummary,
  Page,
  Pipeline,
  Run,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/** Query of a list endpoint: filters plus the cursor of the previous page. */
export type ListQuery = Record<string, string | number | undefined>;

/**
 * Client of the ingestion backend's HTTP API (`/api/ingestion/v1`).
 *
 * @public
 */
export interface IngestionApi {
  listOrganizations(): Promise<Page<OrganizationSummary>>;
  listPipelines(query?: ListQuery): Promise<Page<Pipeline>>;
  listRuns(query?: ListQuery): Promise<Page<Run>>;
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

  listPipelines(query: ListQuery = {}): Promise<Page<Pipeline>> {
    return this.get('/pipelines', query);
  }

  listRuns(query: ListQuery = {}): Promise<Page<Run>> {
    return this.get('/runs', query);
  }

  private async get<T>(path: string, query: ListQuery = {}): Promise<T> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('ingestion');
    const params = new URLSearchParams(
      Object.entries(query).flatMap(([key, value]) =>
        value === undefined || value === '' ? [] : [[key, String(value)]],
      ),
    ).toString();
    const response = await this.options.fetchApi.fetch(
      `${baseUrl}/v1${path}${params ? `?${params}` : ''}`,
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
