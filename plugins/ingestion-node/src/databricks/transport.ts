import { ApiClient, type Config } from '@databricks/sdk-experimental';
import { DatabricksApiError, redactSecret } from './errors';
import {
  backoffDelay,
  parseRetryAfter,
  type DatabricksRetryOptions,
} from './retry';

/**
 * A retry the client is about to make, for logging.
 *
 * @public
 */
export interface DatabricksRetryEvent {
  operation: string;
  /** The attempt that failed (1 for the first). */
  attempt: number;
  /** How long the client waits before the next attempt. */
  delayMs: number;
  error: DatabricksApiError;
}

export interface TransportSettings {
  token: string;
  retry: Required<DatabricksRetryOptions>;
  requestTimeoutMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  onRetry?: (event: DatabricksRetryEvent) => void;
}

type RequestOptions = Parameters<ApiClient['request']>[0];

/** Statuses worth another attempt: rate limiting and server-side failures. */
const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);

/** POST endpoints whose effect is the same however often they are called. */
const IDEMPOTENT_POSTS = new Set([
  '/api/2.2/jobs/runs/cancel',
  '/api/2.2/jobs/reset',
  '/api/2.2/jobs/delete',
  '/api/2.0/workspace/mkdirs',
]);

const STATEMENT_CANCEL = /^\/api\/2\.0\/sql\/statements\/[^/]+\/cancel$/;

/**
 * Whether repeating a request after an ambiguous failure (a 5xx, a timeout, a reset connection: the server may
 * have acted on it) is safe. `jobs/create` is not (a second job); `runs/submit` is only with an idempotency token.
 */
export function isIdempotentRequest(
  method: string,
  path: string,
  payload: unknown,
): boolean {
  if (method === 'GET' || method === 'HEAD') {
    return true;
  }
  if (IDEMPOTENT_POSTS.has(path) || STATEMENT_CANCEL.test(path)) {
    return true;
  }
  const body = (payload ?? {}) as Record<string, unknown>;
  if (path === '/api/2.0/workspace/import') {
    return body.overwrite === true;
  }
  if (
    path === '/api/2.2/jobs/runs/submit' ||
    path === '/api/2.2/jobs/run-now'
  ) {
    return (
      typeof body.idempotency_token === 'string' &&
      body.idempotency_token.length > 0
    );
  }
  return false;
}

/** Network failures that happen before the server saw the request, so any request may be repeated. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN']);

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      return code;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: unknown })?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** `{ error_code, message }` of a Databricks error response, or a short excerpt of anything else. */
function readErrorBody(text: string): { errorCode?: string; message?: string } {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const message = body.message ?? body.error ?? body.detail;
    return {
      errorCode:
        typeof body.error_code === 'string' ? body.error_code : undefined,
      message: typeof message === 'string' ? message : undefined,
    };
  } catch {
    const excerpt = text
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    return { message: excerpt ? excerpt.slice(0, 300) : undefined };
  }
}

/**
 * The SDK's `ApiClient` with its HTTP layer replaced: the SDK still provides configuration (host
 * normalisation, PAT authentication, user agent) and the typed services that build paths and payloads, while
 * this class sends the requests with Node's `fetch` and owns retries. The SDK's own loop retries 429s for up to
 * five minutes without reading `Retry-After` and drops the status of the last error; this one honours
 * `Retry-After` within a bound, retries 5xx and network failures only when repeating is safe (see
 * {@link isIdempotentRequest}), applies a per-request timeout and reports errors without the token.
 */
export class RetryingApiClient extends ApiClient {
  constructor(config: Config, private readonly settings: TransportSettings) {
    super(config, {
      product: 'backstage-ingestion',
      productVersion: '0.1.0',
    });
  }

  override async request(options: RequestOptions): Promise<unknown> {
    const { path, method, query, headers, payload, raw } = options;
    const operation = `${method} ${path}`;
    let origin = '(unresolved host)';
    if (raw) {
      throw new Error(`Raw responses are not supported (${operation})`);
    }
    try {
      const host = await this.host;
      origin = host.origin;
      headers.set('User-Agent', this.userAgent());
      await this.config.authenticate(headers);
    } catch (error) {
      // The SDK's configuration errors keep a reference to the config (and so the token): rethrow the text only.
      const text =
        (error as { baseMessage?: string }).baseMessage ??
        (error as Error).message;
      throw new DatabricksApiError({
        message: `Databricks client configuration for ${origin} is invalid: ${redactSecret(
          String(text),
          this.settings.token,
        )}`,
        operation,
        host: origin,
        retryable: false,
        attempts: 0,
      });
    }
    const url = new URL(origin);
    url.pathname = path;
    if (query && Object.keys(query).length > 0) {
      url.search = this.searchParams(query);
    }
    const body =
      payload !== undefined &&
      (method === 'POST' || method === 'PUT' || method === 'PATCH')
        ? JSON.stringify(payload)
        : undefined;
    const idempotent = isIdempotentRequest(method, path, payload);
    const { retry } = this.settings;

    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(url, method, headers, body, {
        operation,
        origin,
        attempt,
      });
      if (outcome.ok) {
        return outcome.value;
      }
      const error = outcome.error;
      const repeatable =
        error.statusCode === 429 || outcome.notSent || idempotent;
      if (!error.retryable || !repeatable || attempt >= retry.maxAttempts) {
        throw error;
      }
      const delayMs =
        error.retryAfterMs ??
        backoffDelay(attempt, retry, this.settings.random);
      if (delayMs > retry.maxDelayMs) {
        // The server asks for a longer pause than this client waits: let the caller come back later.
        throw error;
      }
      this.settings.onRetry?.({ operation, attempt, delayMs, error });
      await this.settings.sleep(delayMs);
    }
  }

  private async attempt(
    url: URL,
    method: string,
    headers: Headers,
    body: string | undefined,
    context: { operation: string; origin: string; attempt: number },
  ): Promise<
    | { ok: true; value: unknown }
    | { ok: false; error: DatabricksApiError; notSent: boolean }
  > {
    const { operation, origin, attempt } = context;
    const redact = (text: string) => redactSecret(text, this.settings.token);
    const fail = (
      message: string,
      extra: Partial<ConstructorParameters<typeof DatabricksApiError>[0]> & {
        retryable: boolean;
      },
      notSent = false,
    ) => ({
      ok: false as const,
      notSent,
      error: new DatabricksApiError({
        message: redact(
          extra.retryable && attempt > 1
            ? `${message} (after ${attempt} attempts)`
            : message,
        ),
        operation,
        host: origin,
        attempts: attempt,
        ...extra,
      }),
    });

    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const response = await fetch(url, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(this.settings.requestTimeoutMs),
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      text = await response.text();
    } catch (error) {
      if (isTimeout(error)) {
        return fail(
          `Databricks ${operation} on ${origin} timed out after ${this.settings.requestTimeoutMs} ms`,
          { retryable: true },
        );
      }
      const code = errorCode(error);
      if (code === 'ENOTFOUND') {
        return fail(
          `Databricks workspace ${origin} cannot be resolved (${operation})`,
          { retryable: false },
        );
      }
      return fail(
        `Databricks ${operation} on ${origin} failed: ${
          code ?? (error as Error).message
        }`,
        { retryable: true },
        code !== undefined && NOT_SENT_CODES.has(code),
      );
    }

    if (status >= 200 && status < 300) {
      if (text.trim() === '') {
        return { ok: true, value: {} };
      }
      try {
        return { ok: true, value: JSON.parse(text) };
      } catch {
        return fail(
          `Databricks ${operation} on ${origin} returned a response that is not JSON: ${text.slice(
            0,
            200,
          )}`,
          { retryable: false, statusCode: status },
        );
      }
    }

    const { errorCode: code, message } = readErrorBody(text);
    const detail = [code, message].filter(Boolean).join(': ') || 'no details';
    const retryAfterMs = parseRetryAfter(retryAfter);
    if (status === 401 || status === 403) {
      return fail(
        `Databricks rejected the credentials for ${origin} (${status} ${detail}) on ${operation}; ` +
          `check the workspace token configured for the organization`,
        { retryable: false, statusCode: status, errorCode: code },
      );
    }
    const retryable = TRANSIENT_STATUS.has(status);
    return fail(
      `Databricks ${operation} on ${origin} failed with ${status} ${detail}`,
      { retryable, statusCode: status, errorCode: code, retryAfterMs },
    );
  }
}
