export { PipelineEntityContent } from './PipelineEntityContent';
export { PipelineRunsCard } from './PipelineRunsCard';
