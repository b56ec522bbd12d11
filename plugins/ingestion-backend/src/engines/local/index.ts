export { LocalEngine } from './LocalEngine';
export type { LocalEngineOptions } from './LocalEngine';
export type { LocalRunResult } from './runPipeline';
export type { S3Settings } from './sources';
export { PreviewSourceError, PreviewStepError } from './previewPipeline';
export type { PipelinePreview, PreviewOptions } from './previewPipeline';
export { RunCancelledError } from './errors';
