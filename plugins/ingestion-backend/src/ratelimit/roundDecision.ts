import {
  secondsUntilReset,
  type RateLimitDecision,
  type RateLimitRule,
  type RateLimitWindow,
} from './windows';

/** One replica's state of one scope, and the decision of a round of queued requests in it. */

export interface Counter {
  /** Window index: whole windows since the epoch (epoch minute, epoch day). */
  index: number;
  /** Requests this replica admitted in the window. */
  own: number;
  /** `own` as last written to the cache. */
  published: number;
  /** The other replicas' counts in the window, as last read from the cache. */
  others: number;
  /** Whether `others` was read since the window started. */
  read: boolean;
}

export interface Pending {
  rules: readonly RateLimitRule[];
  resolve(decision: RateLimitDecision): void;
  reject(error: Error): void;
}

export interface ScopeState {
  scope: string;
  counters: Map<RateLimitWindow, Counter>;
  /** Day the replica list below belongs to. */
  registryDay: number;
  /** Every replica id seen in this scope's registry today (never forgotten within the day). */
  replicas: Set<string>;
  /** Whether the last read of the registry listed this replica. */
  registered: boolean;
  pending: Pending[];
  /** The rounds in progress, if any: one at a time per scope. */
  running?: Promise<void>;
  lastUsedAt: number;
}

/**
 * Decides a batch in arrival order; returns the requests that must wait for the next round
 * because this replica's share of the remainder is spent for the round.
 */
export function decideRound(
  state: ScopeState,
  batch: Pending[],
  synced: boolean,
  limiter: { now: number; replicaId: string; roundShare: number },
): { deferred: Pending[]; admitted: Array<() => void> } {
  const now = limiter.now;
  const replicas = Math.max(
    1,
    [...state.replicas].filter(id => id !== limiter.replicaId).length + 1,
  );
  const admittedAtStart = new Map(
    [...state.counters.entries()].map(([w, c]) => [w, c.own] as const),
  );
  const deferred: Pending[] = [];
  const admitted: Array<() => void> = [];
  for (const request of batch) {
    if (deferred.length > 0) {
      // Keep arrival order: nothing overtakes a deferred request.
      deferred.push(request);
      continue;
    }
    if (
      synced &&
      request.rules.some(rule => !state.counters.get(rule.window)!.read)
    ) {
      // A window this round did not read yet (it started, or the request came in mid-round).
      deferred.push(request);
      continue;
    }
    const statuses = request.rules.map(rule => {
      const c = state.counters.get(rule.window)!;
      return {
        rule,
        counter: c,
        used: c.own + c.others,
        status: {
          window: rule.window,
          limit: rule.limit,
          remaining: Math.max(0, rule.limit - c.own - c.others),
          resetSeconds: secondsUntilReset(rule.window, c.index, now),
        },
      };
    });
    const exceeded = statuses
      .filter(s => s.used >= s.rule.limit)
      .map(s => s.status)
      .sort((a, b) => b.resetSeconds - a.resetSeconds);
    if (exceeded.length > 0) {
      request.resolve({
        allowed: false,
        scope: state.scope,
        windows: statuses.map(s => s.status),
        exceeded: exceeded[0],
        retryAfterSeconds: exceeded[0].resetSeconds,
      });
      continue;
    }
    const overShare =
      synced &&
      statuses.some(s => {
        const before = admittedAtStart.get(s.rule.window) ?? 0;
        const remainingAtStart = s.rule.limit - before - s.counter.others;
        const share =
          replicas === 1
            ? remainingAtStart
            : Math.max(
                1,
                Math.min(
                  Math.ceil(remainingAtStart / replicas),
                  Math.ceil(s.rule.limit * limiter.roundShare),
                ),
              );
        return s.counter.own - before >= share;
      });
    if (overShare) {
      deferred.push(request);
      continue;
    }
    for (const s of statuses) {
      s.counter.own += 1;
      s.status.remaining -= 1;
    }
    const decision: RateLimitDecision = {
      allowed: true,
      scope: state.scope,
      windows: statuses.map(s => s.status),
    };
    admitted.push(() => request.resolve(decision));
  }
  return { deferred, admitted };
}
