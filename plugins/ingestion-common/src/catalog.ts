/**
 * Annotation naming the organization (tenant) an entity belongs to. The permission policy keeps
 * entities with it visible only to that organization's members.
 *
 * @public
 */
export const ANNOTATION_ORGANIZATION = 'ingestion.backstage.io/organization';
/** @public */
export const ANNOTATION_PIPELINE_ID = 'ingestion.backstage.io/pipeline-id';
/** @public */
export const ANNOTATION_TABLE_IDENTIFIER =
  'ingestion.backstage.io/table-identifier';
/** The id of the table record a `Resource` stands for, as the ingestion API knows it. @public */
export const ANNOTATION_TABLE_ID = 'ingestion.backstage.io/table-id';
