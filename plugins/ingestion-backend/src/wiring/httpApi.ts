import type {
  HttpAuthService,
  LifecycleService,
  LoggerService,
  RootConfigService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import type { IngestionEngine } from '@ingestion-for-backstage/plugin-ingestion-node';
import type express from 'express';
import type { Knex } from 'knex';
import { createAuditApi, type AuditLog } from '../audit';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import {
  createConnectionsRouter,
  type createConnectionsService,
} from '../connections';
import type { startSpend } from '../costs';
import { createDashboardApi } from '../dashboard';
import { createDeploymentApi } from '../deployment';
import { createGovernanceApi, createRefusalRecorder } from '../governance';
import { createCatalogExportApi, createLineageApi } from '../lineage';
import type { startMetrics } from '../metrics';
import {
  createOrganizationsApi,
  type createOrganizationDirectory,
} from '../organizations';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { PiiMasking } from '../pii';
import { createPreviewApi } from '../preview';
import { createQualityScoresApi } from '../quality';
import { createIngestionRateLimiting } from '../ratelimit';
import { createRouter, type RouterOptions } from '../router';
import type { QuotasService } from '../service/QuotasService';

type ExtraRouter = NonNullable<RouterOptions['extraRouters']>[number];

/**
 * The plugin's HTTP API: the core routes (src/router.ts) with the directory's, rate limits' and
 * spend counter's middleware, refusals recorded in the audit log, and every other capability's
 * routes mounted beside them.
 */
export function createIngestionHttpApi(
  options: Pick<
    RouterOptions,
    | 'organizations'
    | 'pipelines'
    | 'runs'
    | 'tables'
    | 'lineage'
    | 'costs'
    | 'costEstimates'
  > & {
    config: RootConfigService;
    logger: LoggerService;
    knex: Knex;
    httpAuth: HttpAuthService;
    userInfo: UserInfoService;
    lifecycle: LifecycleService;
    authorizer: IngestionAuthorizer;
    audit: AuditLog;
    directory: OrganizationDirectory;
    organizationStore: Awaited<ReturnType<typeof createOrganizationDirectory>>;
    quotas: QuotasService;
    connections: Awaited<ReturnType<typeof createConnectionsService>>;
    engines: ReadonlyMap<string, IngestionEngine>;
    rateLimiter: Parameters<typeof createIngestionRateLimiting>[0]['limiter'];
    telemetry: Pick<ReturnType<typeof startMetrics>, 'metrics'>;
    spend: Awaited<ReturnType<typeof startSpend>>;
    /** Routes of capabilities started before (Iceberg REST catalogs, OpenLineage). */
    startedApis: ExtraRouter[];
  },
): Promise<express.Router> {
  const {
    config,
    logger,
    knex,
    httpAuth,
    userInfo,
    lifecycle,
    authorizer,
    audit,
    directory,
    quotas,
    connections,
    engines,
    spend,
    pipelines,
  } = options;
  return createRouter({
    config,
    logger,
    httpAuth,
    authorizer,
    organizations: options.organizations,
    pipelines,
    runs: options.runs,
    tables: options.tables,
    lineage: options.lineage,
    costs: options.costs,
    costEstimates: options.costEstimates,
    middleware: [
      directory.middleware(),
      createIngestionRateLimiting({
        config,
        limiter: options.rateLimiter,
        httpAuth,
        membershipsOf: credentials => authorizer.membershipsOf(credentials),
        directory,
        knex,
        logger,
        metrics: options.telemetry.metrics,
      }),
      spend.counter.middleware(),
    ].filter(m => m !== undefined),
    validateResponses: config.getOptionalBoolean(
      'ingestion.api.validateResponses',
    ),
    // Quota and API rate-limit refusals in the audit log (the admin console counts them).
    errorObservers: [
      createRefusalRecorder({
        httpAuth,
        record: event => audit.record(event),
      }),
    ],
    extraRouters: [
      {
        path: '/connections',
        router: createConnectionsRouter({ httpAuth, connections }),
      },
      createAuditApi({ knex, httpAuth, authorizer }),
      createOrganizationsApi({
        httpAuth,
        userInfo,
        audit,
        organizations: options.organizationStore,
      }),
      createGovernanceApi({
        knex,
        httpAuth,
        authorizer,
        directory,
        quotas,
        platformAdmins:
          config.getOptionalStringArray('ingestion.platformAdmins') ?? [],
      }),
      createCatalogExportApi({ knex, httpAuth, directory, lifecycle }),
      createLineageApi({ knex, httpAuth, authorizer }),
      createQualityScoresApi({ knex, httpAuth, authorizer }),
      // Preview of a draft spec on a sample, with the local engine; writes nothing.
      createPreviewApi({
        config,
        httpAuth,
        pipelines,
        directory,
        engine: () => engines.get('local'),
        resolveConnection: (organizationId, name) =>
          connections.resolveConnection(organizationId, name),
        masking: new PiiMasking(knex),
      }),
      // Deployment status (behind?) and redeploy, as the scaffolder's deploy action does.
      createDeploymentApi({ httpAuth, pipelines, directory }),
      // The organization dashboard: health, runs today, quality, spend, failures.
      createDashboardApi({
        config,
        knex,
        httpAuth,
        authorizer,
        spend: spend.service,
      }),
      ...options.startedApis,
      spend.api,
    ],
  });
}
