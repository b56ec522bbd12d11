export { LocalEngine } from './LocalEngine';
export type { LocalEngineOptions } from './LocalEngine';
export type { LocalRunResult } from './runPipeline';
export type { S3Settings } from './sources';
