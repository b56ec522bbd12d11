/**
 * Node.js library for the ingestion plugins: code generation, the Databricks client, extension points.
 *
 * @packageDocumentation
 */
export * from './codegen';
export * from './permissions';
export * from './engines';
export * from './databricks';
export * from './costs';
export * from './spec';
export * from './organizations';
