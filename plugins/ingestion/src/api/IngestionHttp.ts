import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';

/** Ids come from URLs and annotations: never let one change the path it is put into. */
export const segment = (value: string) => encodeURIComponent(value);

/** Query of a list endpoint: filters plus the cursor of the previous page. */
export type ListQuery = Record<string, string | number | undefined>;

/**
 * The transport every client of the ingestion backend (`/api/ingestion/v1`) shares: `fetchApi`
 * attaches the user's token; non-2xx answers are thrown as `ResponseError`s that carry the
 * server's message and field paths.
 */
export class IngestionHttp {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  get<T>(path: string, query: ListQuery = {}): Promise<T> {
    return this.request<T>(withQuery(path, query));
  }

  /** A text body (CSV downloads), with the same errors as {@link IngestionHttp.get}. */
  async getText(path: string, query: ListQuery = {}): Promise<string> {
    const response = await this.fetch(withQuery(path, query));
    return response.text();
  }

  post<T>(path: string, body?: object): Promise<T> {
    return this.send<T>('POST', path, body);
  }

  put<T>(path: string, body?: object): Promise<T> {
    return this.send<T>('PUT', path, body);
  }

  async delete(path: string, query: ListQuery = {}): Promise<void> {
    await this.fetch(withQuery(path, query), { method: 'DELETE' });
  }

  private send<T>(method: string, path: string, body?: object): Promise<T> {
    return this.request<T>(path, {
      method,
      ...(body
        ? {
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(body),
          }
        : {}),
    });
  }

  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    const response = await this.fetch(path, init);
    return (await response.json()) as T;
  }

  private async fetch(path: string, init?: RequestInit): Promise<Response> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('ingestion');
    const response = await this.options.fetchApi.fetch(
      `${baseUrl}/v1${path}`,
      init,
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }
}

function withQuery(path: string, query: ListQuery): string {
  const params = new URLSearchParams(
    Object.entries(query).flatMap(([key, value]) =>
      value === undefined || value === '' ? [] : [[key, String(value)]],
    ),
  ).toString();
  return `${path}${params ? `?${params}` : ''}`;
}
