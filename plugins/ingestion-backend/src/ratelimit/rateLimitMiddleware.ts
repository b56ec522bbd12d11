import type {
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import type { Request, RequestHandler, Response } from 'express';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import {
  isResourceKind,
  type OrganizationOfResourceStore,
} from './OrganizationOfResourceStore';
import { RateLimitExceededError } from './RateLimitExceededError';
import {
  tightestWindow,
  type RateLimitDecision,
  type RateLimiter,
  type RateLimitRule,
} from './RateLimiter';

export interface RateLimitMiddlewareOptions {
  limiter: Pick<RateLimiter, 'consume'>;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  directory: OrganizationDirectory;
  resources: Pick<OrganizationOfResourceStore, 'organizationOf'>;
  /** `ingestion.rateLimits.unattributedPerUserPerMinute`. */
  unattributedPerUserPerMinute: number;
  logger: LoggerService;
  /** For the short-lived memory of users' organizations; injectable for tests. */
  clock?: () => number;
}

/** How long a user's organizations are remembered for attribution (not for authorization). */
const MEMBERSHIP_TTL_MS = 60_000;
const MEMBERSHIP_CACHE_SIZE = 10_000;

type Attribution =
  | { kind: 'organization'; organizationId: string }
  | { kind: 'principal'; principal: string };

function principalOf(credentials: BackstageCredentials, req: Request): string {
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (principal.type === 'user' && principal.userEntityRef) {
    return principal.userEntityRef.toLocaleLowerCase('en-US');
  }
  if (principal.type === 'service' && principal.subject) {
    return principal.subject;
  }
  return `ip:${req.ip ?? 'unknown'}`;
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Rate limits for the `/v1` routes (mount it on `/v1`, after the JSON body parser and after
 * `/v1/health`). Each request is charged to an organization when it names one the caller belongs
 * to (service principals: any configured organization):
 *
 * 1. a pipeline, run, table or connection in its path (`/pipelines/:id…`, `/runs/:id…`,
 *    `/tables/:id…`, `/connections/:id…`): the organization that owns the row;
 * 2. otherwise `organization` in the query string, then in the JSON body.
 *
 * The organization's `quotas.api.requestsPerMinute` and `requestsPerDay` apply. Everything else
 * (no organization, an unknown one, or one the caller is not a member of, so nobody can spend
 * another tenant's quota) counts against the caller's own `unattributedPerUserPerMinute`.
 *
 * Allowed requests get `X-RateLimit-Limit` and `X-RateLimit-Remaining` (of the window closest to
 * its limit); refused ones a 429 with `Retry-After` and a {@link RateLimitExceededError}. If the
 * limiter itself fails, the request passes (rate limiting must not take the API down) and the
 * failure is logged.
 */
export function createRateLimitMiddleware(
  options: RateLimitMiddlewareOptions,
): RequestHandler {
  const { limiter, httpAuth, userInfo, directory, resources, logger } = options;
  const clock = options.clock ?? Date.now;
  const memberships = new Map<string, { at: number; orgs: Set<string> }>();

  async function organizationsOf(
    credentials: BackstageCredentials,
    principal: string,
  ): Promise<Set<string>> {
    const now = clock();
    const remembered = memberships.get(principal);
    if (remembered && now - remembered.at < MEMBERSHIP_TTL_MS) {
      return remembered.orgs;
    }
    const info = await userInfo.getUserInfo(credentials);
    const orgs = new Set(
      directory.membershipsOf(info.ownershipEntityRefs).keys(),
    );
    memberships.delete(principal);
    memberships.set(principal, { at: now, orgs });
    if (memberships.size > MEMBERSHIP_CACHE_SIZE) {
      memberships.delete(memberships.keys().next().value!);
    }
    return orgs;
  }

  async function namedOrganization(req: Request): Promise<string | undefined> {
    const path = req.path.replace(/^\/v1(?=\/|$)/, '');
    const match = /^\/([a-z]+)\/([^/]+)/.exec(path);
    if (match && isResourceKind(match[1])) {
      let id: string | undefined;
      try {
        id = decodeURIComponent(match[2]);
      } catch {
        id = undefined;
      }
      const owner = id && (await resources.organizationOf(match[1], id));
      if (owner) {
        return owner;
      }
    }
    const body = req.body as unknown;
    return (
      stringField(req.query.organization) ??
      (body && typeof body === 'object' && !Array.isArray(body)
        ? stringField((body as Record<string, unknown>).organization)
        : undefined)
    );
  }

  async function attribute(
    req: Request,
    credentials: BackstageCredentials,
    principal: string,
  ): Promise<Attribution> {
    const organizationId = await namedOrganization(req);
    if (organizationId && directory.find(organizationId)) {
      const type = (credentials.principal as { type: string }).type;
      if (
        type === 'service' ||
        (type === 'user' &&
          (await organizationsOf(credentials, principal)).has(organizationId))
      ) {
        return { kind: 'organization', organizationId };
      }
    }
    return { kind: 'principal', principal };
  }

  function rulesOf(attribution: Attribution): RateLimitRule[] {
    if (attribution.kind === 'principal') {
      return [
        { window: 'minute', limit: options.unattributedPerUserPerMinute },
      ];
    }
    const { api } = directory.get(attribution.organizationId).quotas;
    return [
      { window: 'minute', limit: api.requestsPerMinute },
      { window: 'day', limit: api.requestsPerDay },
    ];
  }

  function answer(
    res: Response,
    attribution: Attribution,
    decision: RateLimitDecision,
  ) {
    const shown = decision.allowed
      ? tightestWindow(decision.windows)
      : decision.exceeded;
    if (shown) {
      res.setHeader('X-RateLimit-Limit', String(shown.limit));
      res.setHeader('X-RateLimit-Remaining', String(shown.remaining));
    }
    if (decision.allowed) {
      return;
    }
    res.setHeader('Retry-After', String(decision.retryAfterSeconds));
    const { window, limit } = decision.exceeded;
    throw new RateLimitExceededError({
      ...(attribution.kind === 'organization'
        ? {
            organization: attribution.organizationId,
            quota:
              window === 'minute'
                ? 'quotas.api.requestsPerMinute'
                : 'quotas.api.requestsPerDay',
          }
        : {
            principal: attribution.principal,
            quota: 'ingestion.rateLimits.unattributedPerUserPerMinute',
          }),
      window,
      limit,
      retryAfterSeconds: decision.retryAfterSeconds,
    });
  }

  async function handle(req: Request, res: Response): Promise<void> {
    if (/^(\/v1)?\/health\/?$/.test(req.path)) {
      return;
    }
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service', 'none'],
    });
    let attribution: Attribution;
    let decision: RateLimitDecision;
    const principal = principalOf(credentials, req);
    try {
      attribution = await attribute(req, credentials, principal);
      decision = await limiter.consume(
        attribution.kind === 'organization'
          ? `org:${attribution.organizationId}`
          : `user:${attribution.principal}`,
        rulesOf(attribution),
      );
    } catch (error) {
      logger.warn(
        `Rate limiting skipped for ${req.method} ${req.originalUrl}: ${String(
          error,
        )}`,
      );
      return;
    }
    answer(res, attribution, decision);
  }

  return (req, res, next) => {
    handle(req, res).then(
      () => next(),
      error => next(error),
    );
  };
}
