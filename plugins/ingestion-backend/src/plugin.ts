import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import {
  ingestionEnginesExtensionPoint,
  type IngestionEngine,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import type { Run } from '@ingestion-for-backstage/plugin-ingestion-common';
import { startAlerts } from './alerts';
import { startMetrics } from './metrics';
import { registerIngestionActions } from './actions';
import { createAuditApi, createAuditLog } from './audit';
import { createGovernanceApi, createRefusalRecorder } from './governance';
import { IngestionAuthorizer } from './authorization/IngestionAuthorizer';
import { readDecisionCacheTtlMs } from './authorization/PermissionDecisionCache';
import { readServicePrincipals } from './authorization/servicePrincipals';
import { startSpend } from './costs';
import { seedDemoCostHistory } from './demo/costHistory';
import { createDashboardApi } from './dashboard';
import { DemoDataSeeder } from './demo/DemoDataSeeder';
import {
  createCatalogExportApi,
  createLineageApi,
  LineageGraphService,
  LineageSync,
} from './lineage';
import {
  createConnectionsRouter,
  createConnectionsService,
} from './connections';
import { DatabaseCostsStore } from './database/CostsStore';
import { DatabaseLineageStore } from './database/LineageStore';
import { connectDatabase } from './database/migrations';
import { DatabasePipelinesStore } from './database/DatabasePipelinesStore';
import { DatabaseRunsStore } from './database/DatabaseRunsStore';
import { PermissionResourcesStore } from './database/PermissionResourcesStore';
import { DatabaseQualityStore } from './database/QualityStore';
import { DatabaseTablesStore } from './database/TablesStore';
import {
  createOrganizationDirectory,
  createOrganizationsApi,
} from './organizations';
import { registerPermissions } from './permissions';
import { auditPiiMasking, createPiiScanner, PiiMasking } from './pii';
import { startIcebergSnapshotExpiry } from './iceberg';
import { startIcebergDiscovery } from './icebergRest';
import { createOpenLineage } from './lineage/openlineage';
import { createDeploymentApi } from './deployment';
import { createPreviewApi } from './preview';
import { createQualityScoresApi } from './quality';
import {
  createIngestionRateLimiting,
  rateLimiterServiceRef,
} from './ratelimit';
import { createRouter } from './router';
import { startRunDriver } from './runs';
import {
  DatabricksEngine,
  pipelineDeployments,
  startDatabricksBilling,
  startDatabricksDeploymentSync,
  startDatabricksScheduledRuns,
} from './engines/databricks';
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

/**
 * The ingestion backend plugin: tenants, pipelines, runs, tables, lineage, quality and costs.
 *
 * @public
 */
export const ingestionPlugin = createBackendPlugin({
  pluginId: 'ingestion',
  register(env) {
    // Execution engines: `local` (DuckDB) is built in; modules add others (Databricks).
    const engines = new Map<string, IngestionEngine>();
    env.registerExtensionPoint(ingestionEnginesExtensionPoint, {
      addEngine(engine) {
        if (engines.has(engine.id)) {
          throw new Error(
            `An ingestion engine '${engine.id}' is already added`,
          );
        }
        engines.set(engine.id, engine);
      },
    });
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
        const costs = new CostsService({
          costs: costsStore,
          authorizer,
          directory,
          currency:
            config.getOptionalString('ingestion.pricing.currency') ?? 'USD',
        });
        const costEstimates = CostEstimateService.create({
          authorizer,
          directory,
          costs: costsStore,
          quotas,
          pricing: {
            dbu: config.getOptionalNumber('ingestion.pricing.dbu') ?? 0.55,
            currency:
              config.getOptionalString('ingestion.pricing.currency') ?? 'USD',
          },
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
        if (!engines.has('databricks')) {
          engines.set(
            'databricks',
            new DatabricksEngine({
              logger,
              // Pipelines deployed as jobs run through their job (run-now).
              deployments: pipelineDeployments(
                new DatabasePipelinesStore(knex),
              ),
            }),
          );
        }
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
        // Billed DBUs replace the estimates of Databricks runs (organizations with a billing warehouse).
        const databricks = engines.get('databricks');
        if (databricks instanceof DatabricksEngine) {
          const databricksTask = {
            config,
            logger,
            knex,
            scheduler,
            organizations: () =>
              directory.organizations.map(engineOrganization),
            source: databricks,
          };
          await startDatabricksBilling(databricksTask);
          // Runs that deployed jobs' own schedules start, recorded so the driver polls them like any run.
          await startDatabricksScheduledRuns(databricksTask);
          // Deployed jobs' notebooks follow the PII masks tagged after their deployment.
          await startDatabricksDeploymentSync({
            ...databricksTask,
            masking: new PiiMasking(knex),
            notebooks: databricks,
          });
        }
        // PII of the tables runs write; tables of the organizations' Iceberg catalogs.
        const pii = createPiiScanner({ knex, logger, lifecycle });
        runDriver.onRunFinished(event => pii.onRunFinished(event));
        // Which PII columns non-production runs masked, in the audit log.
        runDriver.onRunFinished(auditPiiMasking(audit));
        // A finished run's costs are charged to the owner's team (a person's, from the catalog).
        runDriver.onRunFinished(spend.onRunFinished);
        // Failure and quality alerts to the owners (and downstream owners), metrics, live status.
        runDriver.onRunFinished(alerts.runs.onRunFinished);
        runDriver.onRunFinished(telemetry.onRunFinished);
        runDriver.onRunFinished(event => alerts.signals.publish(event.run));
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
        if (
          config.getOptionalBoolean('ingestion.demoData.enabled') &&
          process.env.NODE_ENV === 'development'
        ) {
          await new DemoDataSeeder({
            auth,
            logger,
            directory,
            pipelines,
            runs,
          }).seed();
          await seedDemoCostHistory({
            knex,
            logger,
            organizations: directory.organizations,
            pricing: spend.pricing,
          });
        }

        httpRouter.use(
          await createRouter({
            config,
            logger,
            httpAuth,
            authorizer,
            organizations,
            pipelines,
            runs,
            tables,
            lineage,
            costs,
            costEstimates,
            middleware: [
              directory.middleware(),
              createIngestionRateLimiting({
                config,
                limiter: rateLimiter,
                httpAuth,
                membershipsOf: credentials =>
                  authorizer.membershipsOf(credentials),
                directory,
                knex,
                logger,
                metrics: telemetry.metrics,
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
                organizations: organizationStore,
              }),
              createGovernanceApi({
                knex,
                httpAuth,
                authorizer,
                directory,
                quotas,
                platformAdmins:
                  config.getOptionalStringArray('ingestion.platformAdmins') ??
                  [],
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
              iceberg.api,
              openLineage.api,
              spend.api,
            ],
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
