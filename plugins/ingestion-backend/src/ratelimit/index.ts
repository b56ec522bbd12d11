import type {
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import type {
  Memberships,
  OrganizationDirectory,
} from '../organizations/OrganizationDirectory';
import { OrganizationOfResourceStore } from './OrganizationOfResourceStore';
import { createRateLimitMiddleware } from './rateLimitMiddleware';
import type { RateLimiter } from './RateLimiter';
import { readRateLimitsConfig } from './rateLimitsConfig';

export { RateLimiter, type RateLimitFailureMode } from './RateLimiter';
export { RateLimitStoreUnavailableError } from './RateLimitStoreUnavailableError';
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
export {
  readRateLimitFailureMode,
  readRateLimitsConfig,
  type RateLimitsConfig,
} from './rateLimitsConfig';

/**
 * The `/v1` rate-limit middleware as the plugin mounts it, or undefined when
 * `ingestion.rateLimits.enabled` is false.
 */
export function createIngestionRateLimiting(options: {
  config: RootConfigService;
  limiter: RateLimiter;
  httpAuth: HttpAuthService;
  /** The caller's organizations, as the authorizer decides them. */
  membershipsOf(credentials: BackstageCredentials): Promise<Memberships>;
  directory: OrganizationDirectory;
  knex: Knex;
  logger: LoggerService;
  metrics?: Parameters<typeof createRateLimitMiddleware>[0]['metrics'];
}): RequestHandler | undefined {
  const settings = readRateLimitsConfig(options.config);
  if (!settings.enabled) {
    return undefined;
  }
  return createRateLimitMiddleware({
    limiter: options.limiter,
    httpAuth: options.httpAuth,
    membershipsOf: options.membershipsOf,
    directory: options.directory,
    resources: OrganizationOfResourceStore.create({ knex: options.knex }),
    unattributedPerUserPerMinute: settings.unattributedPerUserPerMinute,
    userShareOfOrganization: settings.userShareOfOrganization,
    failureMode: settings.failureMode,
    logger: options.logger.child({ component: 'rate-limits' }),
    metrics: options.metrics,
  });
}
