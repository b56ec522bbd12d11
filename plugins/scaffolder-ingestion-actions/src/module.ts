import { createBackendModule } from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';

/**
 * Registers the ingestion actions with the scaffolder.
 *
 * @public
 */
export const scaffolderModuleIngestion = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'ingestion',
  register({ registerInit }) {
    registerInit({
      deps: { scaffolderActions: scaffolderActionsExtensionPoint },
      async init({ scaffolderActions }) {
        // The ingestion:* actions are added here as they are built (see README).
        scaffolderActions.addActions();
      },
    });
  },
});
