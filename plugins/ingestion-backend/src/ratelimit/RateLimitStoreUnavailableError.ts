import { ServiceUnavailableError } from '@backstage/errors';

/** Seconds a client is asked to wait when the rate limits cannot be checked. */
export const STORE_RETRY_AFTER_SECONDS = 5;

/**
 * 503 Service Unavailable: the rate limits cannot be checked (their shared store does not answer)
 * and `ingestion.rateLimits.failureMode` is `closed`, so nothing is admitted that the limits might
 * not allow. The middleware sends it with `Retry-After`.
 */
export class RateLimitStoreUnavailableError extends ServiceUnavailableError {
  readonly retryAfterSeconds = STORE_RETRY_AFTER_SECONDS;

  constructor(cause?: unknown) {
    super(
      `Rate limits cannot be checked right now (their store does not answer); retry in ${STORE_RETRY_AFTER_SECONDS} seconds`,
      cause,
    );
  }
}
