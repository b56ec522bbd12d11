import type { RootConfigService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { RateLimitFailureMode } from './RateLimiter';

/** `ingestion.rateLimits`, with defaults. */
export interface RateLimitsConfig {
  enabled: boolean;
  unattributedPerUserPerMinute: number;
  userShareOfOrganization: number;
  failureMode: RateLimitFailureMode;
}

/** `ingestion.rateLimits.failureMode`: `closed` by default in production, `open` elsewhere. */
export function readRateLimitFailureMode(
  config: Pick<RootConfigService, 'getOptionalString'>,
): RateLimitFailureMode {
  const mode =
    config.getOptionalString('ingestion.rateLimits.failureMode') ??
    (process.env.NODE_ENV === 'production' ? 'closed' : 'open');
  if (mode !== 'open' && mode !== 'closed') {
    throw new InputError(
      `ingestion.rateLimits.failureMode must be open or closed, got ${mode}`,
    );
  }
  return mode;
}

export function readRateLimitsConfig(
  config: RootConfigService,
): RateLimitsConfig {
  const unattributed =
    config.getOptionalNumber(
      'ingestion.rateLimits.unattributedPerUserPerMinute',
    ) ?? 600;
  if (!Number.isInteger(unattributed) || unattributed < 0) {
    throw new InputError(
      `ingestion.rateLimits.unattributedPerUserPerMinute must be a whole number of requests, got ${unattributed}`,
    );
  }
  const share =
    config.getOptionalNumber('ingestion.rateLimits.userShareOfOrganization') ??
    0.25;
  if (!(share > 0 && share <= 1)) {
    throw new InputError(
      `ingestion.rateLimits.userShareOfOrganization must be a fraction above 0 and at most 1, got ${share}`,
    );
  }
  return {
    enabled: config.getOptionalBoolean('ingestion.rateLimits.enabled') ?? true,
    unattributedPerUserPerMinute: unattributed,
    userShareOfOrganization: share,
    failureMode: readRateLimitFailureMode(config),
  };
}
