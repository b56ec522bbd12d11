import type {
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import type { ErrorRequestHandler } from 'express';
import type { AuditRecord } from '../audit';
import { RateLimitExceededError } from '../ratelimit/RateLimitExceededError';
import { QuotaExceededError } from '../service/QuotaExceededError';

/** At most one recorded refusal per organization and quota in this window (per backend). */
const THROTTLE_MS = 60_000;

/** Which organization's quota refused, from the two errors that say so. */
export function refusalOf(
  error: unknown,
): { organization: string; quota: string } | undefined {
  if (error instanceof QuotaExceededError) {
    return error.refusal;
  }
  if (error instanceof RateLimitExceededError && error.organization) {
    return {
      organization: error.organization,
      quota: error.quota.replace(/^(quotas|ingestion)\./, ''),
    };
  }
  return undefined;
}

/**
 * An error handler that writes each quota refusal (429 from a run quota or an organization's API
 * rate limit) to the organization's audit log as `quota.refuse`, target `quota` `<key>`, then
 * passes the error on unchanged. Refusals of the same quota are recorded at most once a minute
 * per backend, so a client hammering a used-up quota cannot flood the log; the console counts
 * the recorded ones.
 */
export function createRefusalRecorder(options: {
  httpAuth: HttpAuthService;
  record(event: AuditRecord): Promise<void>;
  clock?: () => number;
}): ErrorRequestHandler {
  const lastRecorded = new Map<string, number>();
  const clock = options.clock ?? Date.now;
  return (error, req, _res, next) => {
    const refusal = refusalOf(error);
    if (!refusal) {
      next(error);
      return;
    }
    const key = `${refusal.organization}\u0000${refusal.quota}`;
    const now = clock();
    if (now - (lastRecorded.get(key) ?? -Infinity) < THROTTLE_MS) {
      next(error);
      return;
    }
    lastRecorded.set(key, now);
    if (lastRecorded.size > 10_000) {
      lastRecorded.clear();
    }
    options.httpAuth
      .credentials(req, { allow: ['user', 'service'] })
      .catch(() => undefined)
      .then((credentials: BackstageCredentials | undefined) =>
        options.record({
          ...(credentials ? { credentials } : { actor: 'unknown' }),
          organizationId: refusal.organization,
          action: 'quota.refuse',
          targetType: 'quota',
          targetId: refusal.quota,
          outcome: 'denied',
          reason: (error as Error).message,
          meta: { method: req.method, path: req.baseUrl + req.path },
          request: req,
          severityLevel: 'medium',
        }),
      )
      .catch(() => undefined)
      .finally(() => next(error));
  };
}
