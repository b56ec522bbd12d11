import { CustomErrorBase } from '@backstage/errors';
import type { RateLimitWindow } from './RateLimiter';

/**
 * 429 Too Many Requests: a quota of `/v1` requests is used up. Serialized by the standard error
 * handler (`{ error: { name, message, … }, response: { statusCode: 429 } }`), with the fields
 * below in `error`, so a client can tell which organization and which limit it hit.
 */
export class RateLimitExceededError extends CustomErrorBase {
  name = 'RateLimitExceededError' as const;
  readonly statusCode = 429;
  /** The organization whose quota is used up, or absent for a caller's own unattributed quota. */
  readonly organization?: string;
  /** The caller, for the unattributed quota. */
  readonly principal?: string;
  /** `requestsPerMinute` or `requestsPerDay` (the organization's `quotas.api` keys) or `unattributedPerUserPerMinute`. */
  readonly quota: string;
  readonly window: RateLimitWindow;
  readonly limit: number;
  readonly retryAfterSeconds: number;

  constructor(details: {
    organization?: string;
    principal?: string;
    quota: string;
    window: RateLimitWindow;
    limit: number;
    retryAfterSeconds: number;
  }) {
    const who = details.organization
      ? `Organization '${details.organization}' has used its API quota`
      : `You have used your API quota for requests not tied to an organization`;
    super(
      `${who} of ${details.limit} requests per ${details.window} (${details.quota}); retry in ${details.retryAfterSeconds} seconds`,
    );
    this.organization = details.organization;
    this.principal = details.principal;
    this.quota = details.quota;
    this.window = details.window;
    this.limit = details.limit;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}
