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
  /** The caller, for the unattributed quota and for the caller's share of an organization's. */
  readonly principal?: string;
  /** For the caller's share: the fraction of the organization's quota one caller may use. */
  readonly share?: number;
  /** `requestsPerMinute` or `requestsPerDay` (the organization's `quotas.api` keys) or `unattributedPerUserPerMinute`. */
  readonly quota: string;
  readonly window: RateLimitWindow;
  readonly limit: number;
  readonly retryAfterSeconds: number;

  constructor(details: {
    organization?: string;
    principal?: string;
    share?: number;
    quota: string;
    window: RateLimitWindow;
    limit: number;
    retryAfterSeconds: number;
  }) {
    const retry = `retry in ${details.retryAfterSeconds} seconds`;
    if (details.organization && details.share !== undefined) {
      super(
        `You have used your share (${Math.round(
          details.share * 100,
        )} %) of organization '${details.organization}''s API quota: ${
          details.limit
        } requests per ${details.window} (${details.quota}); ${retry}`,
      );
    } else {
      const who = details.organization
        ? `Organization '${details.organization}' has used its API quota`
        : `You have used your API quota for requests not tied to an organization`;
      super(
        `${who} of ${details.limit} requests per ${details.window} (${details.quota}); ${retry}`,
      );
    }
    this.organization = details.organization;
    this.principal = details.principal;
    this.share = details.share;
    this.quota = details.quota;
    this.window = details.window;
    this.limit = details.limit;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}
