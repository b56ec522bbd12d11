import type { Config } from '@backstage/config';
import type { PolicyDecision } from '@backstage/plugin-permission-common';

/** How long a user's decision is reused when config does not say: `ingestion.permissionDecisionCacheSeconds`. */
export const DEFAULT_DECISION_CACHE_TTL_MS = 3_000;

/** `ingestion.permissionDecisionCacheSeconds` in milliseconds (0 to 10 s; default 3 s). */
export function readDecisionCacheTtlMs(config: Config): number {
  const seconds = config.getOptionalNumber(
    'ingestion.permissionDecisionCacheSeconds',
  );
  if (seconds === undefined) return DEFAULT_DECISION_CACHE_TTL_MS;
  if (!(seconds >= 0 && seconds <= 10)) {
    throw new Error(
      `ingestion.permissionDecisionCacheSeconds: must be a number of seconds from 0 to 10, got ${seconds}`,
    );
  }
  return seconds * 1000;
}

/** Users' decisions kept at most; the oldest are dropped first beyond it. */
const MAX_ENTRIES = 10_000;

type Entry = { promise: Promise<PolicyDecision>; expiresAt: number };

/** Who a decision was made for, and on what: everything the policy is given or reads about the user. */
export type DecisionKey = {
  userEntityRef: string;
  ownershipEntityRefs: readonly string[];
  permissionName: string;
  resourceType?: string;
  /** The organization directory's version: a change to any organization or its role groups. */
  directoryVersion: string;
};

/**
 * Permission decisions of users, reused for a few seconds: the permission backend is otherwise
 * called over HTTP, with a signed token, on every request (its round trip was most of a list's
 * time). A decision is kept per user, per set of ownership refs (the user's groups, as their token
 * lists them), per permission, and is dropped as soon as the organization directory changes, so:
 *
 * - another user, or the same user with other groups, never gets it;
 * - a change to an organization's role groups counts at once in the replica that made it (and in
 *   others within the directory's own refresh, `organizationsCacheSeconds`);
 * - anything else the policy reads (a portal's own policy may read more) counts within `ttlMs`.
 *
 * Decisions made at the same time for the same key share one round trip; a failed one is not kept.
 */
export class PermissionDecisionCache {
  private readonly entries = new Map<string, Entry>();
  private version = '';

  constructor(
    private readonly options: {
      /** 0 turns the cache off: every decision is asked of the permission backend. */
      ttlMs: number;
      maxEntries?: number;
      clock?: () => number;
    },
  ) {}

  private now() {
    return this.options.clock?.() ?? Date.now();
  }

  /** The decision for `key`: a kept one younger than `ttlMs`, otherwise `decide()`'s. */
  get(
    key: DecisionKey,
    decide: () => Promise<PolicyDecision>,
  ): Promise<PolicyDecision> {
    if (this.options.ttlMs <= 0) {
      return decide();
    }
    if (key.directoryVersion !== this.version) {
      this.entries.clear();
      this.version = key.directoryVersion;
    }
    const id = JSON.stringify([
      key.userEntityRef,
      [...key.ownershipEntityRefs].sort(),
      key.permissionName,
      key.resourceType ?? null,
    ]);
    const now = this.now();
    const cached = this.entries.get(id);
    if (cached && cached.expiresAt > now) {
      return cached.promise;
    }
    this.entries.delete(id);
    const promise = decide().catch(error => {
      if (this.entries.get(id)?.promise === promise) {
        this.entries.delete(id);
      }
      throw error;
    });
    this.entries.set(id, { promise, expiresAt: now + this.options.ttlMs });
    this.evict(now);
    return promise;
  }

  /** Drops expired entries, then the oldest, while there are more than `maxEntries`. */
  private evict(now: number) {
    const max = this.options.maxEntries ?? MAX_ENTRIES;
    if (this.entries.size <= max) return;
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(id);
    }
    for (const id of this.entries.keys()) {
      if (this.entries.size <= max) break;
      this.entries.delete(id);
    }
  }
}
