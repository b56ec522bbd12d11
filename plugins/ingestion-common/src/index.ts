/**
 * Common types and logic of the ingestion plugins: the pipeline spec, the expression language and permissions.
 *
 * @packageDocumentation
 */
export * from './permissions';
export * from './api';
export * from './catalog';
export * from './spec';
export * from './expression';
export * from './lineage';
