import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { ingestionEnginesExtensionPoint } from '@ingestion-for-backstage/plugin-ingestion-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import type { Run } from '@ingestion-for-backstage/plugin-ingestion-common';
import { startAlerts } from './alerts';
import { startMetrics } from './metrics';
import { registerIngestionActions } from './actions';
import { createAuditLog } from './audit';
import { IngestionAuthorizer } from './authorization/IngestionAuthorizer';
import { readDecisionCacheTtlMs } from './authorization/PermissionDecisionCache';
import { readServicePrincipals } from './authorization/servicePrincipals';
import { startSpend } from './costs';
import { LineageGraphService, LineageSync } from './lineage';
import { createConnectionsService } from './connections';
import { DatabaseCostsStore } from './database/CostsStore';
import { DatabaseLineageStore } from './database/LineageStore';
import { connectDatabase } from './database/migrations';
import { DatabasePipelinesStore } from './database/DatabasePipelinesStore';
import { DatabaseRunsStore } from './database/DatabaseRunsStore';
import { PermissionResourcesStore } from './database/PermissionResourcesStore';
import { DatabaseQualityStore } from './database/QualityStore';
import { DatabaseTablesStore } from './database/TablesStore';
import { createOrganizationDirectory } from './organizations';
import { registerPermissions } from './permissions';
import { createPiiScanner, PiiMasking } from './pii';
import { startIcebergSnapshotExpiry } from './iceberg';
import { startIcebergDiscovery } from './icebergRest';
import { createOpenLineage } from './lineage/openlineage';
import { rateLimiterServiceRef } from './ratelimit';
import { startRunDriver } from './runs';
import { engineOrganization } from './runs/RunDriver';
import { CostEstimateService } from './service/CostEstimateService';
import { CostsService } from './service/CostsService';
import { LineageService } from './service/LineageService';
import { OrganizationsService } from './service/OrganizationsService';
import { PipelinesService } from './service/PipelinesService';
import { databricksJobVerifier } from './service/pipelineDeployment';
import { QuotasService } from './service/QuotasService';
import { RunsService } from './service/RunsService';
import { TablesService } from './service/TablesService';
import { seedDemoData } from './wiring/demo';
import {
  addBuiltInDatabricksEngine,
  createEngineRegistry,
  startDatabricksTasks,
} from './wiring/engines';
import { followFinishedRuns } from './wiring/finishedRuns';
import { createIngestionHttpApi } from './wiring/httpApi';
import { demoDataEnabled, readPricingSettings } from './wiring/settings';

/**
 * The ingestion backend plugin: tenants, pipelines, runs, tables, lineage, quality and costs.
 *
 * @public
 */
export const ingestionPlugin = createBackendPlugin({
  pluginId: 'ingestion',
  register(env) {
    // Execution engines: `local` (DuckDB) is built in; modules add others (Databricks).
    const { engines, extensionPoint } = createEngineRegistry();
    env.registerExtensionPoint(ingestionEnginesExtensionPoint, extensionPoint);
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        database: coreServices.database,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        userInfo: coreServices.userInfo,
        auditor: coreServices.auditor,
        rateLimiter: rateLimiterServiceRef,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        notifications: notificationService,
        signals: signalsServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init({
        config,
        database,
        permissions,
        permissionsRegistry,
        httpAuth,
        httpRouter,
        logger,
        userInfo,
        auditor,
        rateLimiter,
        scheduler,
        lifecycle,
        auth,
        catalog,
        notifications,
        signals,
        actionsRegistry,
      }) {
        const knex = await connectDatabase(database);
        // Organizations: the store seeded from config (or config alone), see src/organizations.
        const organizationStore = await createOrganizationDirectory({
          config,
          knex,
          logger,
          scheduler,
        });
        const { directory } = organizationStore;
        registerPermissions({
          permissionsRegistry,
          directory,
          resources: new PermissionResourcesStore(knex),
        });
        // Every mutation and denial (see "Audit log" in the README): services call audit.record.
        const audit = createAuditLog({ knex, auditor, logger });
        const authorizer = new IngestionAuthorizer({
          permissions,
          permissionsRegistry,
          userInfo,
          directory,
          // Other services act only in the organizations, and with the roles, config grants them.
          servicePrincipals: readServicePrincipals(config, directory),
          audit,
          decisionCacheTtlMs: readDecisionCacheTtlMs(config),
        });

        const runsStore = new DatabaseRunsStore(knex);
        const quotas = new QuotasService(knex, runsStore);
        const organizations = OrganizationsService.create({
          directory,
          userInfo,
          quotas,
          authorizer,
        });
        const pipelines = PipelinesService.create({
          store: new DatabasePipelinesStore(knex),
          authorizer,
          directory,
          masking: new PiiMasking(knex),
          // Recorded Databricks jobs are checked in the organization's workspace first.
          deployedJobs: databricksJobVerifier({
            engine: () => engines.get('databricks'),
            organization: id => engineOrganization(directory.get(id)),
          }),
          audit,
        });
        // Spend: the spend and budget API, budget alerts, storage and platform usage samples.
        const spend = await startSpend({
          config,
          logger,
          knex,
          scheduler,
          lifecycle,
          httpAuth,
          auth,
          authorizer,
          directory,
          catalog,
          notifications,
          audit,
        });
        // Alerts as notifications, run status signals to open pages, and metrics (see the README).
        const alerts = await startAlerts({
          config,
          logger,
          knex,
          scheduler,
          directory,
          notifications,
          signals,
        });
        const telemetry = startMetrics({
          knex,
          organizations: () => directory.organizations,
          quotas,
          currency: spend.pricing.currency,
        });
        lifecycle.addShutdownHook(telemetry.stop);
        const onStatusChanged = async (run: Run) => {
          telemetry.onStatusChanged(run);
          await alerts.signals.publish(run);
        };
        const runs = new RunsService({
          runs: runsStore,
          pipelines,
          quotas,
          authorizer,
          directory,
          tables: new DatabaseTablesStore(knex),
          audit,
          budgetGate: spend.budgetGate,
          onRunRefused: alerts.runs.onRunRefused,
          onStatusChanged,
        });
        const tables = new TablesService({
          tables: new DatabaseTablesStore(knex),
          quality: new DatabaseQualityStore(knex),
          authorizer,
          audit,
        });
        const lineage = new LineageService({
          lineage: new DatabaseLineageStore(knex),
          pipelines,
        });
        // Lineage edges follow pipeline specs as they are saved (runs then refine them).
        const lineageSync = new LineageSync({ knex, logger });
        pipelines.onChange(lineageSync.listener);
        lineageSync
          .backfill()
          .catch(error => logger.warn(`Lineage backfill failed: ${error}`));
        const costsStore = new DatabaseCostsStore(knex);
        const pricing = readPricingSettings(config);
        const costs = new CostsService({
          costs: costsStore,
          authorizer,
          directory,
          currency: pricing.currency,
        });
        const costEstimates = CostEstimateService.create({
          authorizer,
          directory,
          costs: costsStore,
          quotas,
          pricing: { dbu: pricing.dbu, currency: pricing.currency },
        });
        // Connection secrets: refuses to start without a master key outside development.
        const connections = await createConnectionsService({
          config,
          logger,
          knex,
          authorizer,
          audit: event => audit.record(event),
          directory,
        });
        // Databricks ships with the plugin; a module may replace it through the extension point.
        addBuiltInDatabricksEngine(engines, { logger, knex });
        // Runs: queued → submitted → running → final, on the scheduler (see src/runs).
        const runDriver = await startRunDriver({
          config,
          logger,
          knex,
          scheduler,
          lifecycle,
          directory,
          engines,
          connections,
          budgetGate: spend.budgetGate,
          onRunRefused: alerts.runs.onRunRefused,
          onStatusChanged,
        });
        // Billed DBUs replace the estimates of Databricks runs (organizations with a billing
        // warehouse), jobs' scheduled runs are recorded, deployed notebooks follow PII masks.
        await startDatabricksTasks({
          config,
          logger,
          knex,
          scheduler,
          directory,
          engines,
        });
        // PII of the tables runs write; tables of the organizations' Iceberg catalogs.
        const pii = createPiiScanner({ knex, logger, lifecycle });
        // Which PII masks runs applied, costs, alerts, metrics and live status (see the function).
        followFinishedRuns(runDriver, { pii, audit, spend, alerts, telemetry });
        // Each organization's storage retention, applied to its local Iceberg tables' snapshots.
        await startIcebergSnapshotExpiry({
          config,
          logger,
          knex,
          scheduler,
          organizations: () => directory.organizations,
        });
        const iceberg = await startIcebergDiscovery({
          config,
          knex,
          logger,
          scheduler,
          directory,
          httpAuth,
          tables,
          pii,
        });
        // OpenLineage: the export route, and events to `ingestion.openLineage.url` if set.
        const openLineage = createOpenLineage({
          config,
          knex,
          logger,
          httpAuth,
          pipelines,
          directory,
        });
        if (openLineage.emitter) {
          runDriver.onRunFinished(openLineage.emitter.onRunFinished);
          lifecycle.addShutdownHook(() => openLineage.emitter!.flush());
        }

        // The embedded default's first start: sample data, demo pipelines and their first runs.
        if (demoDataEnabled(config)) {
          await seedDemoData({
            auth,
            logger,
            knex,
            directory,
            pipelines,
            runs,
            pricing: spend.pricing,
          });
        }

        httpRouter.use(
          await createIngestionHttpApi({
            config,
            logger,
            knex,
            httpAuth,
            userInfo,
            lifecycle,
            authorizer,
            audit,
            directory,
            organizationStore,
            quotas,
            connections,
            engines,
            rateLimiter,
            telemetry,
            spend,
            organizations,
            pipelines,
            runs,
            tables,
            lineage,
            costs,
            costEstimates,
            startedApis: [iceberg.api, openLineage.api],
          }),
        );
        // The everyday operations as actions (`backstage-cli actions`, MCP), as the caller.
        registerIngestionActions({
          actionsRegistry,
          pipelines,
          runs,
          tables,
          lineage: new LineageGraphService({ knex, authorizer }),
          costs,
        });
        httpRouter.addAuthPolicy({
          path: '/v1/health',
          allow: 'unauthenticated',
        });
      },
    });
  },
});
