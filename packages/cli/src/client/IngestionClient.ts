import { CliError, EXIT } from '../exitCodes';

/** One problem the API reports, with the path of the field it is about. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** A non-2xx answer of the ingestion API. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get exitCode(): number {
    if (this.status === 401 || this.status === 403) return EXIT.DENIED;
    if (this.status === 404) return EXIT.NOT_FOUND;
    if (this.status >= 500) return EXIT.UNAVAILABLE;
    return EXIT.REJECTED;
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

/** A page of a list: `{ items, nextCursor }`. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** The HTTP API under `<baseUrl>/api/ingestion/v1`, with a Backstage token. */
export class IngestionClient {
  private readonly fetchImpl: typeof globalThis.fetch;

  constructor(
    private readonly options: {
      baseUrl: string;
      token?: string;
      fetch?: typeof globalThis.fetch;
    },
  ) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  url(path: string, query: Query = {}): string {
    const url = new URL(
      `${this.options.baseUrl.replace(/\/+$/, '')}/api/ingestion/v1${path}`,
    );
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  async request<T>(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown; text?: boolean } = {},
  ): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.options.token) {
      headers.Authorization = `Bearer ${this.options.token}`;
    }
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    let response: Response;
    try {
      response = await this.fetchImpl(this.url(path, options.query), {
        method,
        headers,
        body:
          options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch (error) {
      throw new CliError(
        `Cannot reach the portal at ${this.options.baseUrl}: ${
          (error as Error).message
        }`,
        EXIT.UNAVAILABLE,
      );
    }
    if (!response.ok) {
      throw await toApiError(response);
    }
    if (response.status === 204) return undefined as T;
    if (options.text) return (await response.text()) as T;
    return (await response.json()) as T;
  }

  get<T>(path: string, query?: Query) {
    return this.request<T>('GET', path, { query });
  }

  /** Every item of a list, page after page. */
  async *pages<T>(path: string, query: Query = {}): AsyncGenerator<T> {
    let cursor: string | undefined;
    do {
      const page = await this.get<Page<T>>(path, { ...query, cursor });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }

  async all<T>(path: string, query: Query = {}): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this.pages<T>(path, query)) items.push(item);
    return items;
  }
}

async function toApiError(response: Response): Promise<ApiError> {
  const text = await response.text();
  let message = `${response.status} ${response.statusText}`;
  let problems: FieldProblem[] = [];
  try {
    const body = JSON.parse(text);
    if (body?.error?.message) message = body.error.message;
    if (Array.isArray(body?.problems)) problems = body.problems;
  } catch {
    if (text) message = `${message}: ${text.slice(0, 200)}`;
  }
  return new ApiError(response.status, message, problems);
}
