export { PipelinePage, PipelineView } from './PipelinePage';
