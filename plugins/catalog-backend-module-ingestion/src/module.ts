import { createBackendModule } from '@backstage/backend-plugin-api';

/**
 * Catalog module of Ingestion for Backstage: the entity provider for organizations' data platforms,
 * pipelines, tables and source datasets is added here (see README).
 *
 * @public
 */
export const catalogModuleIngestion = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'ingestion',
  register(reg) {
    reg.registerInit({
      deps: {},
      async init() {},
    });
  },
});
