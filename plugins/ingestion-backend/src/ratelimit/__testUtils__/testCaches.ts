import type { CacheService } from '@backstage/backend-plugin-api';
import { CacheManager } from '@backstage/backend-defaults/cache';
import {
  mockServices,
  TestCaches,
  type TestCacheId,
} from '@backstage/backend-test-utils';
import { randomUUID } from 'node:crypto';

/** `TestCaches` limited to the stores the rate limiter supports in tests. */
export function createTestCaches(): TestCaches {
  return TestCaches.create({ ids: ['MEMORY', 'REDIS_7'] });
}

/**
 * The `backend.cache` config of an empty test cache, for a plugin started with `startTestBackend`
 * or for {@link cacheServices}. On Redis, every call gets a namespace of its own: the server may
 * be shared, so the tests neither flush it nor see each other's keys (which expire by their TTL).
 */
export async function testCacheConfig(caches: TestCaches, id: TestCacheId) {
  const { store, connection } = await caches.init(id);
  return {
    backend: {
      cache: {
        store,
        connection,
        ...(store === 'redis'
          ? { redis: { client: { namespace: `test-${randomUUID()}` } } }
          : {}),
      },
    },
  };
}

/**
 * `count` CacheService clients of one fresh cache, each with its own connection where the store
 * has connections, as separate backend replicas would have them.
 */
export async function cacheServices(
  caches: TestCaches,
  id: TestCacheId,
  count: number,
): Promise<CacheService[]> {
  const config = await testCacheConfig(caches, id);
  if (config.backend.cache.store === 'memory') {
    // The memory store lives in its manager: replicas in one process share one manager.
    const manager = CacheManager.fromConfig(
      mockServices.rootConfig({ data: config }),
    );
    return Array.from({ length: count }, () => manager.forPlugin('ingestion'));
  }
  return Array.from({ length: count }, () =>
    CacheManager.fromConfig(
      mockServices.rootConfig({ data: config }),
    ).forPlugin('ingestion'),
  );
}
