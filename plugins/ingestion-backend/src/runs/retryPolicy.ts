/** Retries of runs that failed with a retryable error. */
export interface RetryPolicy {
  /** Attempts in total, the first included; default 3. */
  maxAttempts: number;
  /** Delay before the second attempt; doubled for each further one. Default 30 s. */
  baseDelaySeconds: number;
  /** Longest delay; default 15 minutes. */
  maxDelaySeconds: number;
}

/** The policy with the defaults for what the configuration leaves out. */
export function resolveRetryPolicy(retry?: Partial<RetryPolicy>): RetryPolicy {
  return {
    maxAttempts: retry?.maxAttempts ?? 3,
    baseDelaySeconds: retry?.baseDelaySeconds ?? 30,
    maxDelaySeconds: retry?.maxDelaySeconds ?? 900,
  };
}

/** Seconds to wait after the given (failed) attempt: exponential back-off, capped. */
export function retryDelaySeconds(
  policy: RetryPolicy,
  attempt: number,
): number {
  return Math.min(
    policy.baseDelaySeconds * 2 ** Math.max(0, attempt - 1),
    policy.maxDelaySeconds,
  );
}
