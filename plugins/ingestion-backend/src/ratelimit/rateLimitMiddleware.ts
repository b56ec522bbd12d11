import type {
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { Request, RequestHandler, Response } from 'express';
import type {
  Memberships,
  OrganizationDirectory,
} from '../organizations/OrganizationDirectory';
import {
  isResourceKind,
  type OrganizationOfResourceStore,
} from './OrganizationOfResourceStore';
import { RateLimitExceededError } from './RateLimitExceededError';
import type { RateLimiter, RateLimitFailureMode } from './RateLimiter';
import { RateLimitStoreUnavailableError } from './RateLimitStoreUnavailableError';
import {
  tightestWindow,
  type RateLimitDecision,
  type RateLimitRule,
} from './windows';

export interface RateLimitMiddlewareOptions {
  limiter: Pick<RateLimiter, 'consume'>;
  httpAuth: HttpAuthService;
  /**
   * The caller's organizations as the authorizer decides them (users: their groups; services:
   * `ingestion.servicePrincipals`): only these can be charged for the caller's requests.
   */
  membershipsOf(credentials: BackstageCredentials): Promise<Memberships>;
  directory: OrganizationDirectory;
  resources: Pick<OrganizationOfResourceStore, 'organizationOf'>;
  /** `ingestion.rateLimits.unattributedPerUserPerMinute`. */
  unattributedPerUserPerMinute: number;
  /** `ingestion.rateLimits.userShareOfOrganization`: 1 (or more) for no per-caller share. */
  userShareOfOrganization?: number;
  /** `ingestion.rateLimits.failureMode`: pass (`open`) or 503 (`closed`) when limits cannot be checked. */
  failureMode?: RateLimitFailureMode;
  logger: LoggerService;
  /** For the short-lived memory of users' organizations; injectable for tests. */
  clock?: () => number;
  /** Counts refusals (the `ingestion.ratelimit.refusals` metric). */
  metrics?: {
    recordRateLimitRefusal(
      organization: string | undefined,
      window: string,
    ): void;
  };
}

/** How long a user's organizations are remembered for attribution (not for authorization). */
const MEMBERSHIP_TTL_MS = 60_000;
const MEMBERSHIP_CACHE_SIZE = 10_000;

type Attribution =
  | { kind: 'organization'; organizationId: string; principal: string }
  | { kind: 'principal'; principal: string };

/** Which quota refused a request: the organization's, the caller's share of it, or the caller's own. */
type Charged = 'organization' | 'share' | 'principal';

/**
 * Routes that hold no tenant data (spec validation, the catalog module's export, the caller's own
 * organizations): a service may call them without naming an organization.
 */
const TENANT_FREE = /^\/(specs|catalog|organizations)(\/|$)/;

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
    return `service:${principal.subject}`;
  }
  return `ip:${req.ip ?? 'unknown'}`;
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Rate limits for the `/v1` routes (mount it on `/v1`, after the JSON body parser and after
 * `/v1/health`). Each request is charged to an organization when it names one the caller belongs
 * to (service principals: one `ingestion.servicePrincipals` grants them):
 *
 * 1. a pipeline, run, table or connection in its path (`/pipelines/:id…`, `/runs/:id…`,
 *    `/tables/:id…`, `/connections/:id…`): the organization that owns the row;
 * 2. otherwise `organization` in the query string, then in the JSON body.
 *
 * The organization's `quotas.api.requestsPerMinute` and `requestsPerDay` apply, and within them
 * each caller (user or service) may use at most `userShareOfOrganization` of each, so one caller
 * cannot use up the organization's day. The share is checked first: a request the organization's
 * quota then refuses still counts against the caller's share, never the other way round (a caller
 * past their share cannot burn the organization's quota with refused requests). Everything else
 * (no organization, an unknown one, or one the caller is not a member of, so nobody can spend
 * another tenant's quota) counts against the caller's own `unattributedPerUserPerMinute`.
 *
 * A service principal must name the organization it acts for (the `organization` parameter, or a
 * resource of it in the path): otherwise 400, except on routes without tenant data.
 *
 * Allowed requests get `X-RateLimit-Limit` and `X-RateLimit-Remaining` (of the window closest to
 * its limit); refused ones a 429 with `Retry-After` and a {@link RateLimitExceededError}. If the
 * limits cannot be checked (store or database down), `failureMode: open` lets the request pass
 * (logged) and `closed` answers 503 with `Retry-After`.
 */
export function createRateLimitMiddleware(
  options: RateLimitMiddlewareOptions,
): RequestHandler {
  const { limiter, httpAuth, directory, resources, logger } = options;
  const clock = options.clock ?? Date.now;
  const share = options.userShareOfOrganization ?? 1;
  const failureMode = options.failureMode ?? 'open';
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
    const orgs = new Set((await options.membershipsOf(credentials)).keys());
    memberships.delete(principal);
    memberships.set(principal, { at: now, orgs });
    if (memberships.size > MEMBERSHIP_CACHE_SIZE) {
      memberships.delete(memberships.keys().next().value!);
    }
    return orgs;
  }

  /** The organization a request names, and whether its path addresses a resource by id. */
  async function namedOrganization(
    req: Request,
  ): Promise<{ organizationId?: string; addressesResource: boolean }> {
    const path = req.path.replace(/^\/v1(?=\/|$)/, '');
    const match = /^\/([a-z]+)\/([^/]+)/.exec(path);
    const addressesResource = Boolean(match && isResourceKind(match[1]));
    if (match && isResourceKind(match[1])) {
      let id: string | undefined;
      try {
        id = decodeURIComponent(match[2]);
      } catch {
        id = undefined;
      }
      const owner = id && (await resources.organizationOf(match[1], id));
      if (owner) {
        return { organizationId: owner, addressesResource };
      }
    }
    const body = req.body as unknown;
    return {
      organizationId:
        stringField(req.query.organization) ??
        (body && typeof body === 'object' && !Array.isArray(body)
          ? stringField((body as Record<string, unknown>).organization)
          : undefined),
      addressesResource,
    };
  }

  /** Services act for one organization per request, which they must name. */
  function requireServiceNamesOrganization(
    req: Request,
    credentials: BackstageCredentials,
    named: { organizationId?: string; addressesResource: boolean },
  ) {
    const path = req.path.replace(/^\/v1(?=\/|$)/, '');
    if (
      (credentials.principal as { type?: string }).type === 'service' &&
      !named.organizationId &&
      !named.addressesResource &&
      !TENANT_FREE.test(path)
    ) {
      throw new InputError(
        'organization: service credentials must name the organization they act for (the organization parameter)',
      );
    }
  }

  async function attribute(
    organizationId: string | undefined,
    credentials: BackstageCredentials,
    principal: string,
  ): Promise<Attribution> {
    if (
      organizationId &&
      directory.find(organizationId) &&
      (await organizationsOf(credentials, principal)).has(organizationId)
    ) {
      return { kind: 'organization', organizationId, principal };
    }
    return { kind: 'principal', principal };
  }

  function organizationRules(organizationId: string): RateLimitRule[] {
    const { api } = directory.get(organizationId).quotas;
    return [
      { window: 'minute', limit: api.requestsPerMinute },
      { window: 'day', limit: api.requestsPerDay },
    ];
  }

  /** One caller's share of each organization window (at least one request; 0 stays 0). */
  function shareRules(rules: RateLimitRule[]): RateLimitRule[] {
    return rules.map(rule => ({
      window: rule.window,
      limit: rule.limit <= 0 ? 0 : Math.max(1, Math.ceil(rule.limit * share)),
    }));
  }

  /** Charges the request: the caller's share first, then the organization (see above). */
  async function consume(
    attribution: Attribution,
  ): Promise<{ charged: Charged; decision: RateLimitDecision }> {
    if (attribution.kind === 'principal') {
      return {
        charged: 'principal',
        decision: await limiter.consume(`user:${attribution.principal}`, [
          { window: 'minute', limit: options.unattributedPerUserPerMinute },
        ]),
      };
    }
    const rules = organizationRules(attribution.organizationId);
    let own: RateLimitDecision | undefined;
    if (share < 1) {
      own = await limiter.consume(
        `org:${attribution.organizationId}:caller:${attribution.principal}`,
        shareRules(rules),
      );
      if (!own.allowed) {
        return { charged: 'share', decision: own };
      }
    }
    const decision = await limiter.consume(
      `org:${attribution.organizationId}`,
      rules,
    );
    if (own && decision.allowed) {
      // The headers report whichever of the two is closer to its limit.
      return {
        charged: 'organization',
        decision: {
          ...decision,
          windows: [...decision.windows, ...own.windows],
        },
      };
    }
    return { charged: 'organization', decision };
  }

  function answer(
    res: Response,
    attribution: Attribution,
    charged: Charged,
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
    const quotaKey =
      window === 'minute'
        ? 'quotas.api.requestsPerMinute'
        : 'quotas.api.requestsPerDay';
    options.metrics?.recordRateLimitRefusal(
      attribution.kind === 'organization'
        ? attribution.organizationId
        : undefined,
      window,
    );
    throw new RateLimitExceededError({
      ...(attribution.kind === 'organization'
        ? {
            organization: attribution.organizationId,
            ...(charged === 'share'
              ? {
                  principal: attribution.principal,
                  share,
                  quota: 'ingestion.rateLimits.userShareOfOrganization',
                }
              : { quota: quotaKey }),
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

  /** The limits could not be checked: pass (`open`) or refuse with 503 (`closed`). */
  function unavailable(req: Request, res: Response, error: unknown): void {
    logger.warn(
      `Rate limits could not be checked for ${req.method} ${
        req.originalUrl
      } (failure mode ${failureMode}): ${String(error)}`,
    );
    if (failureMode === 'open') {
      return;
    }
    const refusal =
      error instanceof RateLimitStoreUnavailableError
        ? error
        : new RateLimitStoreUnavailableError(error);
    res.setHeader('Retry-After', String(refusal.retryAfterSeconds));
    throw refusal;
  }

  async function handle(req: Request, res: Response): Promise<void> {
    if (/^(\/v1)?\/health\/?$/.test(req.path)) {
      return;
    }
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service', 'none'],
    });
    const principal = principalOf(credentials, req);
    let named: Awaited<ReturnType<typeof namedOrganization>>;
    try {
      named = await namedOrganization(req);
    } catch (error) {
      unavailable(req, res, error);
      return;
    }
    requireServiceNamesOrganization(req, credentials, named);
    let attribution: Attribution;
    let result: Awaited<ReturnType<typeof consume>>;
    try {
      attribution = await attribute(
        named.organizationId,
        credentials,
        principal,
      );
      result = await consume(attribution);
    } catch (error) {
      unavailable(req, res, error);
      return;
    }
    answer(res, attribution, result.charged, result.decision);
  }

  return (req, res, next) => {
    handle(req, res).then(
      () => next(),
      error => next(error),
    );
  };
}
