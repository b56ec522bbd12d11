/**
 * The ingestion module for @backstage/plugin-scaffolder-backend: actions that generate a tenant's
 * pipeline into a repository, register it with the ingestion backend and deploy it to Databricks,
 * and the pipeline templates that use them (registered in the catalog by the default export).
 *
 * @packageDocumentation
 */

export { ingestionScaffolderFeatures as default } from './feature';
export { scaffolderModuleIngestion } from './module';
export { catalogModuleIngestionTemplates } from './templates/catalogModule';
export type { TemplatePublishVariant } from './templates/templateVariants';
export {
  createPipelineCreateAction,
  PIPELINE_CREATE_ACTION_ID,
} from './actions/pipelineCreate';
export {
  createPipelineRegisterAction,
  PIPELINE_REGISTER_ACTION_ID,
} from './actions/pipelineRegister';
export {
  createDatabricksDeployAction,
  DATABRICKS_DEPLOY_ACTION_ID,
} from './actions/databricksDeploy';
export { OrganizationSettingsReader } from './lib/organizationConfig';
export type { OrganizationSettings } from './lib/organizationConfig';
export {
  createRepoPublishAction,
  REPO_PUBLISH_ACTION_ID,
} from './actions/repoPublish';
