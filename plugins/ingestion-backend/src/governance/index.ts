import type { HttpAuthService } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import type { QuotasService } from '../service/QuotasService';
import { GovernanceService } from './GovernanceService';
import { QuotaHistoryStore } from './QuotaHistoryStore';
import { createGovernanceRouter } from './router';

export { createRefusalRecorder, refusalOf } from './refusals';
export { GovernanceService } from './GovernanceService';
export { QuotaHistoryStore } from './QuotaHistoryStore';
export type * from './types';

/** The `/v1/governance` router, for `createRouter`'s `extraRouters`. */
export function createGovernanceApi(options: {
  knex: Knex;
  httpAuth: HttpAuthService;
  authorizer: IngestionAuthorizer;
  directory: OrganizationDirectory;
  quotas: QuotasService;
  platformAdmins: readonly string[];
}) {
  return {
    path: '/governance',
    router: createGovernanceRouter({
      httpAuth: options.httpAuth,
      governance: GovernanceService.create({
        store: new QuotaHistoryStore(options.knex),
        quotas: options.quotas,
        authorizer: options.authorizer,
        directory: options.directory,
        platformAdmins: options.platformAdmins,
      }),
    }),
  };
}
