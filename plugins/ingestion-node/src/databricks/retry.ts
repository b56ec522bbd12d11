/**
 * How the Databricks client retries transient failures.
 *
 * @public
 */
export interface DatabricksRetryOptions {
  /** Attempts per call, the first included (default 5). 1 disables retries. */
  maxAttempts?: number;
  /** First backoff delay; doubles per attempt, with jitter (default 500 ms). */
  baseDelayMs?: number;
  /**
   * Longest wait between two attempts (default 30 s). A `Retry-After` longer than this is not waited for: the
   * call fails at once with the error's `retryAfterMs` set, so the caller can come back later.
   */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<DatabricksRetryOptions> = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
};

/**
 * Parses a `Retry-After` header: delay-seconds or an HTTP date. Returns milliseconds, or undefined when absent
 * or unreadable.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) {
    return undefined;
  }
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    return Math.round(Number(trimmed) * 1000);
  }
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) {
    return undefined;
  }
  return Math.max(0, date - now);
}

/**
 * Exponential backoff with "equal jitter": half of the doubled delay is fixed, the other half random, so
 * concurrent callers spread out but never retry immediately.
 */
export function backoffDelay(
  attempt: number,
  options: Required<DatabricksRetryOptions>,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(
    options.maxDelayMs,
    options.baseDelayMs * 2 ** Math.max(0, attempt - 1),
  );
  return Math.round(exponential / 2 + (exponential / 2) * random());
}
