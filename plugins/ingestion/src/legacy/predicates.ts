import { ANNOTATION_ORGANIZATION } from '@ingestion-for-backstage/plugin-ingestion-common';

/**
 * For `EntitySwitch.Case`: an entity of an organization (the catalog module annotates the
 * organization's Groups and its System with `ingestion.backstage.io/organization`), where the cost
 * card belongs — the condition the new-system cost cards filter on.
 *
 * @public
 */
export function isIngestionOrganizationEntity(entity: {
  metadata: { annotations?: Record<string, string> };
}): boolean {
  return Boolean(entity.metadata.annotations?.[ANNOTATION_ORGANIZATION]);
}
