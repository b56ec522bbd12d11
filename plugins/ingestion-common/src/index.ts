/**
 * Common types and logic of the ingestion plugins: the pipeline spec, the expression language, permissions and PII detection.
 *
 * @packageDocumentation
 */
export * from './permissions';
export * from './api';
export * from './catalog';
export * from './spec';
export * from './expression';
export * from './lineage';
export * from './pii';
export * from './costs';
export * from './templates';
export * from './dashboard';
export * from './editor';
export * from './governance';
export * from './connections';
export * from './audit';
