import type {
  HttpAuthService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type { OrganizationDirectory } from '../../organizations/OrganizationDirectory';
import type { PipelinesService } from '../../service/PipelinesService';
import { OpenLineageEmitter } from './OpenLineageEmitter';
import { OpenLineageService } from './OpenLineageService';
import { createOpenLineageRouter } from './router';

export { buildRunEvents, openLineageName } from './runEvents';
export type { RunEvent } from './runEvents';
export { OpenLineageEmitter } from './OpenLineageEmitter';
export { OpenLineageService } from './OpenLineageService';

/**
 * OpenLineage (`ingestion.openLineage`): the export route of a pipeline's events, and — with a
 * `url` configured — an emitter to register as a run driver listener.
 */
export function createOpenLineage(options: {
  config: RootConfigService;
  knex: Knex;
  logger: LoggerService;
  httpAuth: HttpAuthService;
  pipelines: PipelinesService;
  directory: OrganizationDirectory;
  fetch?: typeof globalThis.fetch;
}) {
  const settings = options.config.getOptionalConfig('ingestion.openLineage');
  const baseUrl =
    options.config.getOptionalString('backend.baseUrl') ??
    'http://localhost:7007';
  const namespacePrefix =
    settings?.getOptionalString('namespacePrefix') ?? 'ingestion';
  const service = new OpenLineageService({
    knex: options.knex,
    pipelines: options.pipelines,
    directory: options.directory,
    settings: {
      producer:
        settings?.getOptionalString('producer') ??
        `${baseUrl.replace(/\/+$/, '')}/api/ingestion`,
      jobNamespace: org => `${namespacePrefix}.${org}`,
    },
  });
  const url = settings?.getOptionalString('url');
  const emitter = url
    ? new OpenLineageEmitter({
        service,
        logger: options.logger.child({ component: 'openlineage' }),
        fetch: options.fetch,
        transport: {
          url,
          apiKey: settings?.getOptionalString('apiKey'),
          maxAttempts: settings?.getOptionalNumber('maxAttempts'),
          retryDelayMs: settings?.getOptionalNumber('retryDelayMs'),
        },
      })
    : undefined;
  return {
    service,
    emitter,
    api: {
      path: '/pipelines',
      router: createOpenLineageRouter({ httpAuth: options.httpAuth, service }),
    },
  };
}
