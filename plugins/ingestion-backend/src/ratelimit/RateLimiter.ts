import type {
  CacheService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { randomUUID } from 'node:crypto';
import { RateLimitStoreUnavailableError } from './RateLimitStoreUnavailableError';
import { decideRound, type Counter, type ScopeState } from './roundDecision';
import {
  ttlOf,
  WINDOW_CODE,
  WINDOW_MS,
  windowIndex,
  type RateLimitDecision,
  type RateLimitRule,
  type RateLimitWindow,
} from './windows';

export {
  tightestWindow,
  WINDOW_MS,
  type RateLimitDecision,
  type RateLimitRule,
  type RateLimitWindow,
  type RateLimitWindowStatus,
} from './windows';

/** Options of {@link RateLimiter.create}. */
export interface RateLimiterOptions {
  cache: CacheService;
  logger?: LoggerService;
  /** Milliseconds since the epoch; injectable for tests. */
  clock?: () => number;
  /** Identifies this backend replica in the cache; random by default. */
  replicaId?: string;
  /**
   * How often a background pass publishes counts that a failed cache write left behind, re-checks
   * this replica's registration, and forgets idle scopes. Requests never wait for it. Default 1000.
   */
  syncIntervalMs?: number;
  /**
   * The most one replica admits in one round while other replicas count in the scope, as a
   * fraction of the limit (at least one request). It bounds what concurrent replicas can admit
   * without seeing each other. Default 0.01 (1 %).
   */
  roundShare?: number;
  /**
   * What happens to requests while the shared store (the cache) does not answer. `open` (the
   * default): this replica decides on its own counts, so requests keep flowing, each replica
   * enforcing the limits alone. `closed`: requests are refused with a
   * {@link RateLimitStoreUnavailableError} until the store answers again, so no replica admits
   * more than the shared limit.
   */
  failureMode?: RateLimitFailureMode;
}

/** See {@link RateLimiterOptions.failureMode}. */
export type RateLimitFailureMode = 'open' | 'closed';

/**
 * Fixed-window rate limits (per minute, per UTC day) shared by backend replicas through the
 * `CacheService`, which offers get/set/delete but no atomic increment. Each replica keeps its own
 * counters and is the only writer of its own cache entries, so no increment is ever lost:
 *
 * - `ratelimit:<scope>:<m|d>:<window index>:<replica>` holds one replica's count in one window
 *   (a plain `set` of the full count, never read-modify-written);
 * - `ratelimit:<scope>:replicas:<epoch day>` lists the replicas that counted in the scope today
 *   (the only shared read-modify-write; see below).
 *
 * A scope's requests are decided in rounds, one round at a time per replica and scope: read the
 * registry and the other replicas' counts, decide the queued requests synchronously (JavaScript
 * runs them without interleaving), write this replica's new counts, then answer. Because a request
 * is answered only after its count is written, a request decided on any replica after another was
 * answered sees it: traffic whose requests do not overlap in time is counted exactly.
 *
 * Requests that do overlap on different replicas can miss each other (each replica reads before
 * the other writes). To bound that, while other replicas count in the scope a replica admits at
 * most `max(1, min(ceil(remaining / replicas), ceil(limit * roundShare)))` requests per round; the
 * rest wait for the next round (they are delayed by one round trip, not refused). Over-admission
 * per window is therefore bounded by what the other replicas admit in rounds that overlap the
 * deciding one; as rounds take about the same time everywhere, that is about one round of every
 * replica: `limit + replicas * max(1, ceil(limit * roundShare))` (1 % of the limit per replica by
 * default; with one replica, exactly `limit`). The price is latency: every request waits for one
 * cache read and one cache write (about two Redis round trips), and a burst larger than a round's
 * share waits for further rounds.
 *
 * The registry is a read-modify-write, so two replicas registering at the same moment can lose an
 * entry. Every replica re-adds itself (and every replica it has seen that day) whenever a read
 * misses it: at each round and at least every `syncIntervalMs`. Until then its counts are hidden
 * from replicas that have never seen it, an extra, short-lived error in the rare race.
 *
 * When the cache fails and `failureMode` is `closed`, the requests waiting in the scope are
 * refused with a {@link RateLimitStoreUnavailableError} (503) instead. Otherwise (`open`), when
 * the cache fails, a replica keeps deciding on its own counts plus the others' last known
 * counts (so it enforces the limit alone: at worst `replicas` times too generous while the cache
 * is down), logs a warning at most once a minute, and publishes its counts when the cache is back.
 */
export class RateLimiter {
  static create(options: RateLimiterOptions): RateLimiter {
    return new RateLimiter(options);
  }

  readonly replicaId: string;
  private readonly cache: CacheService;
  private readonly logger?: LoggerService;
  private readonly clock: () => number;
  private readonly roundShare: number;
  private readonly failureMode: RateLimitFailureMode;
  private readonly scopes = new Map<string, ScopeState>();
  private readonly timer?: NodeJS.Timeout;
  private lastWarningAt = Number.NEGATIVE_INFINITY;

  private constructor(options: RateLimiterOptions) {
    this.cache = options.cache;
    this.logger = options.logger;
    this.clock = options.clock ?? Date.now;
    this.replicaId = options.replicaId ?? randomUUID();
    this.roundShare = options.roundShare ?? 0.01;
    this.failureMode = options.failureMode ?? 'open';
    const interval = options.syncIntervalMs ?? 1000;
    if (interval > 0) {
      this.timer = setInterval(() => {
        this.sync().catch(error => this.warn(error));
      }, interval);
      this.timer.unref?.();
    }
  }

  /**
   * Counts one request against `scope` if every rule still allows it; otherwise refuses it and
   * says when to retry. Refused requests are not counted.
   */
  consume(
    scope: string,
    rules: readonly RateLimitRule[],
  ): Promise<RateLimitDecision> {
    const state = this.stateOf(scope);
    state.lastUsedAt = this.clock();
    for (const rule of rules) {
      if (!state.counters.has(rule.window)) {
        state.counters.set(rule.window, {
          index: windowIndex(rule.window, this.clock()),
          own: 0,
          published: 0,
          others: 0,
          read: false,
        });
      }
    }
    return new Promise((resolve, reject) => {
      state.pending.push({ rules, resolve, reject });
      void this.drive(state);
    });
  }

  /**
   * Publishes counts still unwritten (after a cache failure), repairs lost registrations and
   * forgets scopes whose windows are over. Runs every `syncIntervalMs`; tests call it directly.
   */
  async sync(): Promise<void> {
    await Promise.all([...this.scopes.values()].map(state => state.running));
    const now = this.clock();
    const runs: Promise<void>[] = [];
    for (const state of [...this.scopes.values()]) {
      if (state.running) {
        continue;
      }
      this.roll(state, now);
      if (this.isIdle(state, now)) {
        this.scopes.delete(state.scope);
      } else if (!this.isSettled(state) || this.hasCounts(state)) {
        // Also re-reads the registry of scopes it counted in, re-adding this replica if lost.
        runs.push(this.drive(state));
      }
    }
    await Promise.all(runs);
  }

  /** Stops the background pass; call on shutdown (after a last `sync()`). */
  stop(): void {
    if (this.timer) {
      clearInterval(this.timer);
    }
  }

  private stateOf(scope: string): ScopeState {
    let state = this.scopes.get(scope);
    if (!state) {
      state = {
        scope,
        counters: new Map(),
        registryDay: windowIndex('day', this.clock()),
        replicas: new Set(),
        registered: false,
        pending: [],
        lastUsedAt: this.clock(),
      };
      this.scopes.set(scope, state);
    }
    return state;
  }

  /** Runs rounds for a scope until its queue is empty and its counts are published. */
  private drive(state: ScopeState): Promise<void> {
    if (!state.running) {
      state.running = this.rounds(state);
    }
    return state.running;
  }

  private async rounds(state: ScopeState): Promise<void> {
    try {
      let idleRounds = 0;
      for (;;) {
        const decide = state.pending.length > 0;
        const ok = await this.round(state, decide);
        if (decide && !ok && this.failureMode === 'closed') {
          // The shared counts are unknown: refuse rather than admit past the shared limit.
          const error = new RateLimitStoreUnavailableError();
          state.pending.splice(0).forEach(request => request.reject(error));
          return;
        }
        if (decide) {
          idleRounds = 0;
          const batch = state.pending.splice(0);
          const { deferred, admitted } = decideRound(state, batch, ok, {
            now: this.clock(),
            replicaId: this.replicaId,
            roundShare: this.roundShare,
          });
          state.pending.unshift(...deferred);
          if (admitted.length > 0) {
            // Admissions are published before they are answered: a request another replica
            // decides after this one was answered always sees it.
            if (ok) {
              await this.publish(state);
            }
            admitted.forEach(answer => answer());
          }
        } else {
          idleRounds += 1;
        }
        if (state.pending.length > 0) {
          continue;
        }
        // Nothing waits: stop once published and registered, after a failure (the background
        // pass retries) or when the registry refuses to settle (the background pass re-checks).
        if (!ok || this.isSettled(state) || idleRounds >= 3) {
          return;
        }
      }
    } finally {
      // Cleared synchronously with the last check of the queue, so a request queued after it
      // always starts new rounds.
      state.running = undefined;
    }
  }

  private hasCounts(state: ScopeState): boolean {
    return [...state.counters.values()].some(c => c.own > 0);
  }

  private isSettled(state: ScopeState): boolean {
    const counters = [...state.counters.values()];
    const published = counters.every(c => c.own === c.published);
    const counted = counters.some(c => c.own > 0);
    return published && (state.registered || !counted);
  }

  private isIdle(state: ScopeState, now: number): boolean {
    return (
      state.pending.length === 0 &&
      this.isSettled(state) &&
      [...state.counters.entries()].every(
        ([window, c]) => c.own === 0 || c.index < windowIndex(window, now),
      ) &&
      now - state.lastUsedAt > WINDOW_MS.minute
    );
  }

  /** Starts new windows (and a new day's registry) when the clock moved past the old ones. */
  private roll(state: ScopeState, now: number): void {
    for (const [window, counter] of state.counters) {
      const index = windowIndex(window, now);
      if (counter.index !== index) {
        state.counters.set(window, {
          index,
          own: 0,
          published: 0,
          others: 0,
          read: false,
        });
      }
    }
    const day = windowIndex('day', now);
    if (state.registryDay !== day) {
      state.registryDay = day;
      state.replicas = new Set();
      state.registered = false;
    }
  }

  /**
   * One exchange with the cache: publish this replica's counts, read the registry (adding this
   * replica when missing) and, when requests wait for a decision, the other replicas' counts.
   * Returns false when the cache failed; the counters then keep their last known values.
   */
  private async round(
    state: ScopeState,
    readOthers: boolean,
  ): Promise<boolean> {
    const now = this.clock();
    this.roll(state, now);
    const day = state.registryDay;
    const registryKey = `ratelimit:${state.scope}:replicas:${day}`;
    const counters = [...state.counters.entries()];
    try {
      const known = [...state.replicas].filter(id => id !== this.replicaId);
      const [registry, knownCounts, published] = await Promise.all([
        this.cache.get<string[]>(registryKey),
        readOthers ? this.readCounts(state, counters, known) : undefined,
        this.publish(state),
      ]);
      if (!published) {
        return false;
      }
      const listed = Array.isArray(registry) ? registry : [];
      const discovered = listed.filter(
        id => id !== this.replicaId && !state.replicas.has(id),
      );
      for (const id of listed) {
        state.replicas.add(id);
      }
      state.registered = listed.includes(this.replicaId);
      const counting = readOthers || counters.some(([, c]) => c.own > 0);
      const repairs =
        counting &&
        (!state.registered ||
          [...state.replicas].some(id => !listed.includes(id)));
      const [discoveredCounts] = await Promise.all([
        readOthers && discovered.length > 0
          ? this.readCounts(state, counters, discovered)
          : undefined,
        repairs
          ? this.cache.set(
              registryKey,
              [...new Set([...listed, ...state.replicas, this.replicaId])],
              { ttl: WINDOW_MS.day * 2 },
            )
          : undefined,
      ]);
      if (repairs) {
        // Verified by the next round's read; a concurrent registration may have overwritten it.
        state.registered = false;
      }
      if (knownCounts) {
        for (const [window, c] of counters) {
          c.others =
            (knownCounts.get(window) ?? 0) +
            (discoveredCounts?.get(window) ?? 0);
          c.read = true;
        }
      }
      return true;
    } catch (error) {
      this.warn(error);
      return false;
    }
  }

  /** Writes this replica's counts that changed since they were last written. */
  private async publish(state: ScopeState): Promise<boolean> {
    const now = this.clock();
    try {
      await Promise.all(
        [...state.counters.entries()]
          .filter(([, c]) => c.own !== c.published)
          .map(async ([window, c]) => {
            const value = c.own;
            await this.cache.set(
              this.counterKey(state.scope, window, c.index),
              value,
              { ttl: ttlOf(window, c.index, now) },
            );
            c.published = Math.max(c.published, value);
          }),
      );
      return true;
    } catch (error) {
      this.warn(error);
      return false;
    }
  }

  private async readCounts(
    state: ScopeState,
    counters: Array<[RateLimitWindow, Counter]>,
    replicas: string[],
  ): Promise<Map<RateLimitWindow, number>> {
    const sums = await Promise.all(
      counters.map(async ([window, c]) => {
        const values = await Promise.all(
          replicas.map(id =>
            this.cache.get<number>(
              this.counterKey(state.scope, window, c.index, id),
            ),
          ),
        );
        const sum = values.reduce<number>(
          (total, value) => total + (typeof value === 'number' ? value : 0),
          0,
        );
        return [window, sum] as const;
      }),
    );
    return new Map(sums);
  }

  private counterKey(
    scope: string,
    window: RateLimitWindow,
    index: number,
    replicaId = this.replicaId,
  ): string {
    return `ratelimit:${scope}:${WINDOW_CODE[window]}:${index}:${replicaId}`;
  }

  private warn(error: unknown) {
    const now = Date.now();
    if (now - this.lastWarningAt < 60_000) {
      return;
    }
    this.lastWarningAt = now;
    this.logger?.warn(
      `Rate limit counters could not be shared through the cache; this replica enforces the limits on its own counts until the cache answers again: ${String(
        error,
      )}`,
    );
  }
}
