import { createBackendFeatureLoader } from '@backstage/backend-plugin-api';
import { scaffolderModuleIngestion } from './module';
import { catalogModuleIngestionTemplates } from './templates/catalogModule';

/**
 * What `backend.add(import('@ingestion-for-backstage/plugin-scaffolder-backend-module-ingestion'))`
 * installs: the `ingestion:*` scaffolder actions and the catalog module that registers the
 * pipeline templates shipped in this package.
 */
export const ingestionScaffolderFeatures = createBackendFeatureLoader({
  loader() {
    return [scaffolderModuleIngestion, catalogModuleIngestionTemplates];
  },
});
