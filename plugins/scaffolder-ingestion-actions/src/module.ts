import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createDatabricksDeployAction } from './actions/databricksDeploy';
import { createPipelineCreateAction } from './actions/pipelineCreate';
import { createPipelineRegisterAction } from './actions/pipelineRegister';
import { createRepoPublishAction } from './actions/repoPublish';
import { OrganizationSettingsReader } from './lib/organizationConfig';
import { withTaskSafeErrors } from './lib/taskSafeErrors';

/**
 * Registers the ingestion actions with the scaffolder: `ingestion:pipeline:create`,
 * `ingestion:pipeline:register`, `ingestion:databricks:deploy` and `ingestion:repo:publish`.
 *
 * @public
 */
export const scaffolderModuleIngestion = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'ingestion',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolderActions: scaffolderActionsExtensionPoint,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ scaffolderActions, auth, discovery, config, logger }) {
        // One reader of the ingestion backend's organization directory, shared by the actions.
        const organizations = new OrganizationSettingsReader({
          auth,
          discovery,
          config,
          logger,
        });
        const services = { auth, discovery, config, organizations };
        // Task logs are the user's to read: errors there carry their message, not a stack.
        scaffolderActions.addActions(
          ...[
            createPipelineCreateAction(services),
            createPipelineRegisterAction(services),
            createDatabricksDeployAction(services),
            createRepoPublishAction({ ...services, logger }),
          ].map(action => withTaskSafeErrors(action, logger)),
        );
      },
    });
  },
});
