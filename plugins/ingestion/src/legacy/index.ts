/**
 * Ingestion for Backstage for portals on the legacy frontend system (`App.tsx` with `FlatRoutes`,
 * an `EntityPage.tsx`): `@ingestion-for-backstage/plugin-ingestion/legacy`.
 *
 * @packageDocumentation
 */
export {
  ingestionPlugin,
  IngestionPage,
  IngestionPipelinePage,
  IngestionPipelineEditorPage,
  IngestionNewPipelinePage,
  IngestionCostPage,
  IngestionAdminPage,
  IngestionLineagePage,
  IngestionQualityPage,
  IngestionOrganizationsPage,
  EntityIngestionPipelineContent,
  EntityIngestionPipelineRunsCard,
  EntityIngestionTableContent,
  EntityIngestionLineageContent,
  EntityIngestionCostCard,
  IngestionOrganizationPickerFieldExtension,
  IngestionCostEstimateFieldExtension,
} from './plugin';
export { isIngestionOrganizationEntity } from './predicates';
export {
  IngestionClient,
  ingestionApiRef,
  type IngestionApi,
} from '../api/IngestionApi';
