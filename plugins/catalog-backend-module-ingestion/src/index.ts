/***/
/**
 * The ingestion backend module for the catalog plugin.
 *
 * @packageDocumentation
 */

export { catalogModuleIngestion as default } from './module';
