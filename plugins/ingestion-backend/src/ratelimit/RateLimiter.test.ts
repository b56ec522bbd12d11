import type { CacheService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { RateLimiter, type RateLimitRule } from './RateLimiter';
import { cacheServices, createTestCaches } from './__testUtils__/testCaches';

const caches = createTestCaches();

/** 2026-03-10 10:00:15 UTC: 45 s left in the minute, 13 h 59 min 45 s left in the day. */
const START = Date.UTC(2026, 2, 10, 10, 0, 15);

function testClock() {
  let now = START;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
    set(at: number) {
      now = at;
    },
  };
}

function limiterOn(
  cache: CacheService,
  clock: { now(): number },
  replicaId: string,
) {
  return RateLimiter.create({
    cache,
    clock: clock.now,
    replicaId,
    syncIntervalMs: 0,
  });
}

const perMinute = (limit: number): RateLimitRule[] => [
  { window: 'minute', limit },
];

async function allowedCount(
  limiter: RateLimiter,
  scope: string,
  rules: RateLimitRule[],
  requests: number,
) {
  const decisions = await Promise.all(
    Array.from({ length: requests }, () => limiter.consume(scope, rules)),
  );
  return decisions.filter(d => d.allowed).length;
}

describe('RateLimiter', () => {
  describe.each(caches.eachSupportedId())('on %s', cacheId => {
    it('admits up to the per-minute limit, then refuses until the minute ends', async () => {
      const clock = testClock();
      const [cache] = await cacheServices(caches, cacheId, 1);
      const limiter = limiterOn(cache, clock, 'a');

      for (let i = 0; i < 3; i++) {
        const decision = await limiter.consume('org:finance', perMinute(3));
        expect(decision).toMatchObject({
          allowed: true,
          windows: [{ window: 'minute', limit: 3, remaining: 2 - i }],
        });
      }
      const refused = await limiter.consume('org:finance', perMinute(3));
      expect(refused).toMatchObject({
        allowed: false,
        exceeded: { window: 'minute', limit: 3, remaining: 0 },
        retryAfterSeconds: 45,
      });

      clock.advance(30_000);
      expect(await limiter.consume('org:finance', perMinute(3))).toMatchObject({
        allowed: false,
        retryAfterSeconds: 15,
      });

      clock.advance(15_000); // 10:01:00, a new minute
      expect(await limiter.consume('org:finance', perMinute(3))).toMatchObject({
        allowed: true,
        windows: [{ remaining: 2, resetSeconds: 60 }],
      });
    });

    it('does not count refused requests', async () => {
      const clock = testClock();
      const [cache] = await cacheServices(caches, cacheId, 1);
      const limiter = limiterOn(cache, clock, 'a');
      const rules: RateLimitRule[] = [
        { window: 'minute', limit: 2 },
        { window: 'day', limit: 3 },
      ];
      expect(await allowedCount(limiter, 'org:finance', rules, 5)).toBe(2);
      clock.advance(60_000);
      // Only the two admitted requests count against the day.
      expect(await allowedCount(limiter, 'org:finance', rules, 5)).toBe(1);
    });

    it('enforces the day window across minutes, until midnight UTC', async () => {
      const clock = testClock();
      const [cache] = await cacheServices(caches, cacheId, 1);
      const limiter = limiterOn(cache, clock, 'a');
      const rules: RateLimitRule[] = [
        { window: 'minute', limit: 100 },
        { window: 'day', limit: 5 },
      ];
      expect(await allowedCount(limiter, 'org:retail', rules, 5)).toBe(5);

      clock.advance(60_000);
      const refused = await limiter.consume('org:retail', rules);
      expect(refused).toMatchObject({
        allowed: false,
        exceeded: { window: 'day', limit: 5, remaining: 0 },
        // 10:01:15 → 24:00:00 is 13 h 58 min 45 s
        retryAfterSeconds: 13 * 3600 + 58 * 60 + 45,
      });
      expect(refused.windows).toEqual([
        { window: 'minute', limit: 100, remaining: 100, resetSeconds: 45 },
        {
          window: 'day',
          limit: 5,
          remaining: 0,
          resetSeconds: 13 * 3600 + 58 * 60 + 45,
        },
      ]);

      clock.set(Date.UTC(2026, 2, 11, 0, 0, 0));
      expect(await limiter.consume('org:retail', rules)).toMatchObject({
        allowed: true,
        windows: [{ remaining: 99 }, { remaining: 4 }],
      });
    });

    it('keeps scopes apart: one organization using up its quota leaves the others alone', async () => {
      const clock = testClock();
      const [cache] = await cacheServices(caches, cacheId, 1);
      const limiter = limiterOn(cache, clock, 'a');
      expect(await allowedCount(limiter, 'org:finance', perMinute(4), 10)).toBe(
        4,
      );
      expect(await allowedCount(limiter, 'org:retail', perMinute(4), 4)).toBe(
        4,
      );
      expect(await limiter.consume('org:finance', perMinute(4))).toMatchObject({
        allowed: false,
      });
    });

    it('shares the count between replicas through the cache', async () => {
      const clock = testClock();
      const [cacheA, cacheB] = await cacheServices(caches, cacheId, 2);
      const a = limiterOn(cacheA, clock, 'replica-a');
      const b = limiterOn(cacheB, clock, 'replica-b');
      let admitted = 0;
      for (let i = 0; i < 10; i++) {
        const limiter = i % 2 === 0 ? a : b;
        if ((await limiter.consume('org:finance', perMinute(7))).allowed) {
          admitted += 1;
        }
      }
      expect(admitted).toBe(7);
      // A replica started later sees what the others counted.
      const c = limiterOn(cacheA, clock, 'replica-c');
      expect(await c.consume('org:finance', perMinute(7))).toMatchObject({
        allowed: false,
      });
      a.stop();
      b.stop();
      c.stop();
    });

    it('stays within limit + one round per replica when a burst hits every replica at once', async () => {
      const clock = testClock();
      const replicas = 3;
      const limit = 30;
      const services = await cacheServices(caches, cacheId, replicas);
      const limiters = services.map((cache, i) =>
        limiterOn(cache, clock, `replica-${i}`),
      );
      // Every replica has counted in the scope today, so each knows the others.
      for (const limiter of limiters) {
        await limiter.consume('org:warmup', perMinute(1000));
      }
      for (let round = 0; round < 3; round++) {
        clock.advance(60_000);
        const counts = await Promise.all(
          limiters.map(limiter =>
            allowedCount(limiter, 'org:warmup', perMinute(limit), 40),
          ),
        );
        const total = counts.reduce((sum, n) => sum + n, 0);
        expect(total).toBeGreaterThanOrEqual(limit);
        // One round per replica of max(1, ceil(limit * 1 %)) requests: 30 + 3 * 1.
        expect(total).toBeLessThanOrEqual(limit + replicas);
      }
    });
  });

  it('keeps enforcing on its own counts while the cache fails', async () => {
    const clock = testClock();
    const logger = mockServices.logger.mock();
    const failing: CacheService = {
      get: async () => {
        throw new Error('connection refused');
      },
      set: async () => {
        throw new Error('connection refused');
      },
      delete: async () => undefined,
      withOptions: () => failing,
    };
    const limiter = RateLimiter.create({
      cache: failing,
      clock: clock.now,
      logger,
      syncIntervalMs: 0,
    });
    expect(await allowedCount(limiter, 'org:finance', perMinute(3), 5)).toBe(3);
    await limiter.sync();
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0][0]).toContain('connection refused');
  });

  it('refuses while the cache fails when its failure mode is closed, and admits again once it answers', async () => {
    const clock = testClock();
    let down = true;
    const store = new Map<string, unknown>();
    const flaky: CacheService = {
      get: async key => {
        if (down) throw new Error('connection refused');
        return store.get(key) as any;
      },
      set: async (key, value) => {
        if (down) throw new Error('connection refused');
        store.set(key, value);
      },
      delete: async () => undefined,
      withOptions: () => flaky,
    };
    const limiter = RateLimiter.create({
      cache: flaky,
      clock: clock.now,
      logger: mockServices.logger.mock(),
      syncIntervalMs: 0,
      failureMode: 'closed',
    });
    const refusals = await Promise.allSettled(
      Array.from({ length: 3 }, () =>
        limiter.consume('org:finance', perMinute(3)),
      ),
    );
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({
        status: 'rejected',
        reason: {
          name: 'ServiceUnavailableError',
          retryAfterSeconds: 5,
        },
      });
    }
    down = false;
    // Refused requests were not counted: the whole limit is still there.
    expect(await allowedCount(limiter, 'org:finance', perMinute(3), 5)).toBe(3);
  });

  it('publishes counts a failed write left behind on the next sync', async () => {
    const clock = testClock();
    const [shared] = await cacheServices(caches, 'MEMORY', 1);
    let down = true;
    const flaky: CacheService = {
      get: async key => {
        if (down) throw new Error('down');
        return shared.get(key);
      },
      set: async (key, value, options) => {
        if (down) throw new Error('down');
        return shared.set(key, value, options);
      },
      delete: key => shared.delete(key),
      withOptions: () => flaky,
    };
    const a = limiterOn(flaky, clock, 'a');
    const b = limiterOn(shared, clock, 'b');
    expect(await allowedCount(a, 'org:finance', perMinute(5), 3)).toBe(3);
    down = false;
    await a.sync();
    expect(await allowedCount(b, 'org:finance', perMinute(5), 5)).toBe(2);
  });

  it('re-registers a replica whose registry entry a concurrent writer lost', async () => {
    const clock = testClock();
    const [cache] = await cacheServices(caches, 'MEMORY', 1);
    const a = limiterOn(cache, clock, 'a');
    expect(await allowedCount(a, 'org:finance', perMinute(10), 4)).toBe(4);
    // Another replica overwrote the registry from a stale read.
    const day = Math.floor(START / 86_400_000);
    await cache.set(`ratelimit:org:finance:replicas:${day}`, ['b']);
    await a.sync();
    expect(await cache.get(`ratelimit:org:finance:replicas:${day}`)).toEqual(
      expect.arrayContaining(['a', 'b']),
    );
    const c = limiterOn(cache, clock, 'c');
    expect(await allowedCount(c, 'org:finance', perMinute(10), 10)).toBe(6);
  });

  it('forgets scopes whose windows are over', async () => {
    const clock = testClock();
    const [cache] = await cacheServices(caches, 'MEMORY', 1);
    const limiter = limiterOn(cache, clock, 'a');
    await limiter.consume('user:user:default/jane', perMinute(5));
    const scopes = (limiter as unknown as { scopes: Map<string, unknown> })
      .scopes;
    await limiter.sync();
    expect(scopes.size).toBe(1);
    clock.advance(120_000);
    await limiter.sync();
    expect(scopes.size).toBe(0);
  });
});
