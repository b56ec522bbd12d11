import type {
  HttpAuthService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import type { Knex } from 'knex';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import { DashboardService, type SpendSummaries } from './DashboardService';
import { DashboardStore } from './DashboardStore';
import { createDashboardRouter } from './router';

export { DashboardService } from './DashboardService';
export type { OrganizationDashboard } from './DashboardService';
export { PIPELINE_HEALTHS, type PipelineHealth } from './healthSql';

/** The freshness alerts' grace (`ingestion.alerts.freshnessGracePeriod`, 30 minutes by default). */
export function readFreshnessGraceMs(config: RootConfigService): number {
  const settings = config.getOptionalConfig('ingestion.alerts');
  if (!settings?.has('freshnessGracePeriod')) return 30 * 60_000;
  return durationToMilliseconds(
    readDurationFromConfig(settings, { key: 'freshnessGracePeriod' }),
  );
}

/** The organization dashboard routes, as an entry of the router's `extraRouters`. */
export function createDashboardApi(options: {
  config: RootConfigService;
  knex: Knex;
  httpAuth: HttpAuthService;
  authorizer: IngestionAuthorizer;
  spend?: SpendSummaries;
}) {
  return {
    path: '',
    router: createDashboardRouter({
      httpAuth: options.httpAuth,
      service: new DashboardService({
        store: new DashboardStore(options.knex),
        authorizer: options.authorizer,
        spend: options.spend,
        freshnessGraceMs: readFreshnessGraceMs(options.config),
      }),
    }),
  };
}
