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
/**
 * The owner an ingestion record names (a user or a group), kept on the entity when the catalog's
 * `spec.owner` is scoped to a group of the organization. @public
 */
export const ANNOTATION_OWNER = 'ingestion.backstage.io/owner';
/** Annotations and labels under this prefix are the ingestion plugins' own. @public */
export const INGESTION_ANNOTATION_PREFIX = 'ingestion.backstage.io/';
/**
 * Location type of the ingestion entity provider's entities: their `backstage.io/managed-by-location`
 * (and origin) is `ingestion-provider:<organization>`. No location of this type can be read, so no
 * registered file or URL can produce an entity with it. @public
 */
export const INGESTION_PROVIDER_LOCATION_TYPE = 'ingestion-provider';
