import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import type {
  CatalogChanges,
  CatalogOrganization,
  CatalogPage,
  CatalogPipeline,
  CatalogTable,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/** What the provider reads from the ingestion backend (its `/v1/catalog` export). */
export interface IngestionCatalogSource {
  /** Every organization, retired ones flagged, with the version of the list. */
  organizations(): Promise<{ items: CatalogOrganization[]; version?: string }>;
  pipelines(cursor?: string): Promise<CatalogPage<CatalogPipeline>>;
  tables(cursor?: string): Promise<CatalogPage<CatalogTable>>;
  /**
   * What changed since `since`. With `wait` (seconds, up to 25), a long poll: the backend answers
   * as soon as something changed, or after the wait with nothing changed.
   */
  changes(
    since: number,
    options?: { wait?: number; signal?: AbortSignal },
  ): Promise<CatalogChanges>;
  ids(organization: string, kind: 'pipelines' | 'tables'): Promise<string[]>;
}

/**
 * Reads the ingestion backend's catalog export over HTTP with the catalog plugin's own service
 * credentials, as any backend plugin may call another.
 */
export class IngestionCatalogClient implements IngestionCatalogSource {
  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
      pageSize?: number;
      fetch?: typeof globalThis.fetch;
    },
  ) {}

  private async get<T>(
    path: string,
    query: Record<string, string | undefined> = {},
    signal?: AbortSignal,
  ): Promise<T> {
    const { discovery, auth } = this.options;
    const baseUrl = await discovery.getBaseUrl('ingestion');
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'ingestion',
    });
    const params = new URLSearchParams(
      Object.entries(query).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    );
    const url = `${baseUrl}/v1/catalog${path}${
      params.size > 0 ? `?${params}` : ''
    }`;
    const response = await (this.options.fetch ?? globalThis.fetch)(url, {
      headers: { authorization: `Bearer ${token}` },
      signal,
    });
    if (!response.ok) {
      const body = await response.text().catch(() => '');
      throw new Error(
        `GET ${url} answered ${response.status} ${
          response.statusText
        }: ${body.slice(0, 500)}`,
      );
    }
    return (await response.json()) as T;
  }

  private get limit() {
    return String(this.options.pageSize ?? 1000);
  }

  organizations() {
    return this.get<{ items: CatalogOrganization[]; version?: string }>(
      '/organizations',
    );
  }

  pipelines(cursor?: string) {
    return this.get<CatalogPage<CatalogPipeline>>('/pipelines', {
      cursor,
      limit: this.limit,
    });
  }

  tables(cursor?: string) {
    return this.get<CatalogPage<CatalogTable>>('/tables', {
      cursor,
      limit: this.limit,
    });
  }

  changes(
    since: number,
    options: { wait?: number; signal?: AbortSignal } = {},
  ) {
    return this.get<CatalogChanges>(
      '/changes',
      {
        since: String(since),
        wait: options.wait ? String(options.wait) : undefined,
      },
      options.signal,
    );
  }

  async ids(organization: string, kind: 'pipelines' | 'tables') {
    return (await this.get<{ items: string[] }>('/ids', { organization, kind }))
      .items;
  }
}
