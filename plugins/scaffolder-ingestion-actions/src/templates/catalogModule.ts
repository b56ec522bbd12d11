import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { IngestionTemplateProvider } from './IngestionTemplateProvider';
import { readPublishVariant, templateFiles } from './templateVariants';

/**
 * Catalog module that registers the pipeline templates shipped in this package, in the variant
 * `ingestion.scaffolder.publish` chooses (`local`, `github` or `gitlab`). The package's default
 * export installs it with the scaffolder actions.
 *
 * @public
 */
export const catalogModuleIngestionTemplates = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'ingestion-templates',
  register(reg) {
    reg.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ catalog, config, logger }) {
        const variant = readPublishVariant(config);
        catalog.addEntityProvider(
          new IngestionTemplateProvider({
            files: templateFiles(variant),
            logger,
          }),
        );
      },
    });
  },
});
