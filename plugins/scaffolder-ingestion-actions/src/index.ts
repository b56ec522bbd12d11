/***/
/**
 * The ingestion module for @backstage/plugin-scaffolder-backend.
 *
 * @packageDocumentation
 */

export { scaffolderModuleIngestion as default } from './module';
