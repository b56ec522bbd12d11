import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { readRateLimitFailureMode } from './rateLimitsConfig';
import { RateLimiter } from './RateLimiter';

/**
 * The ingestion backend's rate limiter: by default over the plugin's `CacheService` (memory, or
 * the shared store `backend.cache` configures, which replicas need to share counts). Replace the
 * factory to tune it (e.g. a test clock).
 */
export const rateLimiterServiceRef = createServiceRef<RateLimiter>({
  id: 'ingestion.rate-limiter',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        cache: coreServices.cache,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        lifecycle: coreServices.lifecycle,
      },
      factory({ cache, config, logger, lifecycle }) {
        const limiter = RateLimiter.create({
          cache,
          logger,
          failureMode: readRateLimitFailureMode(config),
        });
        lifecycle.addShutdownHook(async () => {
          await limiter.sync();
          limiter.stop();
        });
        return limiter;
      },
    }),
});
