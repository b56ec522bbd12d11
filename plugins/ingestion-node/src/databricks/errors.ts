/**
 * A failed call to a Databricks workspace: an HTTP error response, a timeout or a network failure, after the
 * client's retries. The message names the operation and the workspace, never the token.
 *
 * @public
 */
export class DatabricksApiError extends Error {
  override readonly name = 'DatabricksApiError';
  /** `METHOD /api/...` of the failed call. */
  readonly operation: string;
  /** The workspace URL (`https://<host>`). */
  readonly host: string;
  /** HTTP status; undefined when no response arrived (timeout, connection reset, DNS). */
  readonly statusCode?: number;
  /** The Databricks `error_code` of the response, e.g. `INVALID_PARAMETER_VALUE`. */
  readonly errorCode?: string;
  /**
   * Whether the failure is transient (rate limit, 5xx, network): the same call may succeed later. The client
   * has already retried it as far as its retry policy allows.
   */
  readonly retryable: boolean;
  /** The server's `Retry-After`, when it sent one. */
  readonly retryAfterMs?: number;
  /** How many times the call was attempted. */
  readonly attempts: number;

  constructor(options: {
    message: string;
    operation: string;
    host: string;
    statusCode?: number;
    errorCode?: string;
    retryable: boolean;
    retryAfterMs?: number;
    attempts: number;
    cause?: unknown;
  }) {
    super(
      options.message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.operation = options.operation;
    this.host = options.host;
    this.statusCode = options.statusCode;
    this.errorCode = options.errorCode;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.attempts = options.attempts;
  }

  /** The workspace rejected the credentials (401) or the caller may not do this (403). */
  get isAuthError(): boolean {
    return this.statusCode === 401 || this.statusCode === 403;
  }

  /** The addressed run, job or workspace object does not exist. */
  get isNotFound(): boolean {
    return (
      this.statusCode === 404 ||
      this.errorCode === 'RESOURCE_DOES_NOT_EXIST' ||
      (this.statusCode === 400 &&
        this.errorCode === 'INVALID_PARAMETER_VALUE' &&
        /\bdoes not exist\b/i.test(this.message))
    );
  }
}

/** Personal access tokens look like `dapi` + 32 hex digits (optionally `-<n>`). */
const PAT_PATTERN = /dapi[0-9a-f]{32}(?:-\d+)?/gi;

/**
 * Removes a secret (and anything shaped like a Databricks personal access token) from text that may end up in
 * logs or error messages.
 */
export function redactSecret(text: string, secret?: string): string {
  let result = text;
  if (secret && secret.length >= 4) {
    result = result.split(secret).join('[REDACTED]');
  }
  return result.replace(PAT_PATTERN, '[REDACTED]');
}
