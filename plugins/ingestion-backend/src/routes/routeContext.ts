import type {
  BackstageCredentials,
  BackstageServicePrincipal,
  BackstageUserPrincipal,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type express from 'express';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../database/pagination';

/** What the core routes' handlers share: the validated router, query parameters, credentials. */
export interface RouteContext {
  /** The router that validates requests against the OpenAPI document before a handler runs. */
  api: express.Router;
  /** Query parameters after validation: each is a string or absent. */
  params(req: express.Request): Record<string, string | undefined>;
  /** A user's or another service's credentials. */
  credentialsOf(
    req: express.Request,
  ): Promise<
    BackstageCredentials<BackstageUserPrincipal | BackstageServicePrincipal>
  >;
  /** A user's credentials only. */
  userCredentialsOf(
    req: express.Request,
  ): Promise<BackstageCredentials<BackstageUserPrincipal>>;
}

export function routeContext(
  api: express.Router,
  httpAuth: HttpAuthService,
): RouteContext {
  return {
    api,
    params: req => req.query as Record<string, string | undefined>,
    credentialsOf: req =>
      httpAuth.credentials(req, { allow: ['user', 'service'] }),
    userCredentialsOf: req => httpAuth.credentials(req, { allow: ['user'] }),
  };
}

/** A list's page size from its `limit` parameter (the default when absent). */
export function pageSize(limit: string | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  const n = Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw new InputError(
      `limit: must be an integer from 1 to ${MAX_PAGE_SIZE}`,
    );
  }
  return n;
}
