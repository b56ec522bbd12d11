export { hashPipelineSpec } from './hashPipelineSpec';
