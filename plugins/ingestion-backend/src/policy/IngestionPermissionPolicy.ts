import {
  AuthorizeResult,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import type { IngestionPermissionDecisions } from './IngestionPermissionDecisions';

/**
 * The product brief's access matrix as a whole Backstage permission policy, for a portal without
 * a policy of its own: {@link IngestionPermissionDecisions} for the ingestion, catalog and
 * scaffolder permissions, and everything else allowed, as the default policy of a fresh portal.
 * A portal with a policy of its own delegates to {@link IngestionPermissionDecisions} instead.
 *
 * @public
 */
export class IngestionPermissionPolicy implements PermissionPolicy {
  constructor(private readonly decisions: IngestionPermissionDecisions) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (this.decisions.handles(request)) {
      return this.decisions.handle(request, user);
    }
    return { result: AuthorizeResult.ALLOW };
  }
}
