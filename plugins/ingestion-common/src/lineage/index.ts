export {
  dataPlatformSystemName,
  datasetEntityName,
  formatEntityRef,
  organizationNamespace,
  pipelineEntityName,
  stableHash,
  toEntityName,
} from './catalogNames';
export type { EntityName } from './catalogNames';
export { deriveColumnLineage } from './columnLineage';
export type {
  ColumnLineage,
  ColumnLineageEntry,
  ColumnLineageInput,
  ColumnLineageOptions,
  ColumnTransformationKind,
  IndirectColumnInput,
  LineageDataset,
} from './columnLineage';
export type {
  CatalogChanges,
  CatalogColumn,
  CatalogOrganization,
  CatalogPage,
  CatalogPipeline,
  CatalogTable,
  PiiType,
} from './catalogExport';
