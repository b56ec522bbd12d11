/**
 * Ingestion for Backstage: pages, entity content and cards of the ingestion plugins.
 *
 * @packageDocumentation
 */
export { ingestionPlugin as default } from './plugin';
export {
  IngestionClient,
  ingestionApiRef,
  type IngestionApi,
} from './api/IngestionApi';
export {
  OrganizationPicker,
  ORGANIZATION_PICKER_FIELD,
  type OrganizationPickerUiOptions,
} from './scaffolder';
export { CostsClient, costsApiRef, type CostsApi } from './api/CostsApi';
export {
  DashboardClient,
  dashboardApiRef,
  type DashboardApi,
  type DashboardPipeline,
  type DashboardPipelineFilters,
  type OrganizationDashboard,
  type PipelineHealth,
} from './api/DashboardApi';
export { AdminClient, adminApiRef, type AdminApi } from './api/AdminApi';
export {
  ExploreClient,
  exploreApiRef,
  type ExploreApi,
} from './api/ExploreApi';
export {
  OrganizationsClient,
  organizationsApiRef,
  type OrganizationsApi,
} from './api/OrganizationsApi';
export {
  EditorClient,
  editorApiRef,
  type EditorApi,
  type SpecCheck,
  type SpecPreview,
  type PreviewColumn,
  type PreviewRuleResult,
} from './api/EditorApi';
