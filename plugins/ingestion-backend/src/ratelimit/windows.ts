/** Fixed rate-limit windows, rules and decisions, shared by the limiter and the middleware. */

/** The fixed windows requests are counted in (UTC: a day starts at 00:00 UTC). */
export type RateLimitWindow = 'minute' | 'day';

export const WINDOW_MS: Readonly<Record<RateLimitWindow, number>> = {
  minute: 60_000,
  day: 86_400_000,
};

export const WINDOW_CODE: Readonly<Record<RateLimitWindow, string>> = {
  minute: 'm',
  day: 'd',
};

/** Extra lifetime of a cache entry after its window ended, so late readers still find it. */
export const TTL_SLACK_MS = 60_000;

/** At most `limit` requests per `window`. A limit of 0 (or less) blocks the scope. */
export interface RateLimitRule {
  window: RateLimitWindow;
  limit: number;
}

/** Where a scope stands in one window, after the decision. */
export interface RateLimitWindowStatus {
  window: RateLimitWindow;
  limit: number;
  /** Requests still allowed in this window (after this one, when it was allowed). */
  remaining: number;
  /** Seconds until the window ends and its count starts again at zero. */
  resetSeconds: number;
}

export type RateLimitDecision =
  | {
      allowed: true;
      scope: string;
      windows: RateLimitWindowStatus[];
    }
  | {
      allowed: false;
      scope: string;
      windows: RateLimitWindowStatus[];
      /** The window that is used up (the one that resets last, if several are). */
      exceeded: RateLimitWindowStatus;
      /** Seconds until a retry can succeed: until the exceeded window resets. */
      retryAfterSeconds: number;
    };

/** The window closest to its limit: what `X-RateLimit-*` headers report. */
export function tightestWindow(
  windows: readonly RateLimitWindowStatus[],
): RateLimitWindowStatus | undefined {
  return [...windows].sort(
    (a, b) => a.remaining - b.remaining || b.resetSeconds - a.resetSeconds,
  )[0];
}

export function windowIndex(window: RateLimitWindow, now: number): number {
  return Math.floor(now / WINDOW_MS[window]);
}

export function secondsUntilReset(
  window: RateLimitWindow,
  index: number,
  now: number,
): number {
  const end = (index + 1) * WINDOW_MS[window];
  return Math.max(1, Math.ceil((end - now) / 1000));
}

export function ttlOf(
  window: RateLimitWindow,
  index: number,
  now: number,
): number {
  const end = (index + 1) * WINDOW_MS[window];
  return Math.max(1000, end - now) + TTL_SLACK_MS;
}
