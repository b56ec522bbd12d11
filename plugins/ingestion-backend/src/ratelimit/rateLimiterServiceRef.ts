import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
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
        logger: coreServices.logger,
        lifecycle: coreServices.lifecycle,
      },
      factory({ cache, logger, lifecycle }) {
        const limiter = RateLimiter.create({ cache, logger });
        lifecycle.addShutdownHook(async () => {
          await limiter.sync();
          limiter.stop();
        });
        return limiter;
      },
    }),
});
