export { EditPipelinePage, PipelineEditorView } from './EditPipelinePage';
export { NewPipelinePage } from './NewPipelinePage';
export { editPipelineRouteRef, newPipelineRouteRef } from './routes';
