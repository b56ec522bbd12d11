import { CustomErrorBase } from '@backstage/errors';

/**
 * An organization's quota does not allow the request now: 429, with a Retry-After hint when the
 * quota frees up over time (concurrency, DBU per hour), none when it needs an admin (storage).
 */
export class QuotaExceededError extends CustomErrorBase {
  name = 'QuotaExceededError' as const;
  readonly statusCode = 429;

  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
    /** Which organization's quota (its key under `quotas`) refused, for the refusals record. */
    readonly refusal?: { organization: string; quota: string },
  ) {
    super(message);
  }
}
