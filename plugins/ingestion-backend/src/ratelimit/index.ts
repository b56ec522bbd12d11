import type {
  HttpAuthService,
  LoggerService,
  RootConfigService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { OrganizationOfResourceStore } from './OrganizationOfResourceStore';
import { createRateLimitMiddleware } from './rateLimitMiddleware';
import type { RateLimiter } from './RateLimiter';

export { RateLimiter } from './RateLimiter';
export type {
  RateLimitDecision,
  RateLimitRule,
  RateLimitWindow,
  RateLimitWindowStatus,
} from './RateLimiter';
export { RateLimitExceededError } from './RateLimitExceededError';
export { rateLimiterServiceRef } from './rateLimiterServiceRef';
export { createRateLimitMiddleware } from './rateLimitMiddleware';
export { OrganizationOfResourceStore } from './OrganizationOfResourceStore';

/** `ingestion.rateLimits`, with defaults. */
export interface RateLimitsConfig {
  enabled: boolean;
  unattributedPerUserPerMinute: number;
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
  return {
    enabled: config.getOptionalBoolean('ingestion.rateLimits.enabled') ?? true,
    unattributedPerUserPerMinute: unattributed,
  };
}

/**
 * The `/v1` rate-limit middleware as the plugin mounts it, or undefined when
 * `ingestion.rateLimits.enabled` is false.
 */
export function createIngestionRateLimiting(options: {
  config: RootConfigService;
  limiter: RateLimiter;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  directory: OrganizationDirectory;
  knex: Knex;
  logger: LoggerService;
}): RequestHandler | undefined {
  const settings = readRateLimitsConfig(options.config);
  if (!settings.enabled) {
    return undefined;
  }
  return createRateLimitMiddleware({
    limiter: options.limiter,
    httpAuth: options.httpAuth,
    userInfo: options.userInfo,
    directory: options.directory,
    resources: OrganizationOfResourceStore.create({ knex: options.knex }),
    unattributedPerUserPerMinute: settings.unattributedPerUserPerMinute,
    logger: options.logger.child({ component: 'rate-limits' }),
  });
}
