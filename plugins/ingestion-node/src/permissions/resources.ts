import { createPermissionResourceRef } from '@backstage/plugin-permission-node';
import {
  ORGANIZATION_RESOURCE_TYPE,
  PIPELINE_RESOURCE_TYPE,
  TABLE_RESOURCE_TYPE,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/**
 * A query fragment a permission rule turns into: a column of the ingestion store and the values it
 * may take. The store turns a tree of these (allOf / anyOf / not) into a SQL WHERE clause, so lists
 * are filtered in the database.
 *
 * @public
 */
export type IngestionResourceQuery = {
  column: 'organization_id' | 'owner';
  values: string[];
};

/** The fields of an organization the permission rules look at. @public */
export interface OrganizationPermissionResource {
  organizationId: string;
}

/** The fields of a pipeline or table the permission rules look at. @public */
export interface OwnedPermissionResource {
  organizationId: string;
  /** Entity ref of the owning user or group. */
  owner: string;
}

/** @public */
export const organizationPermissionResourceRef = createPermissionResourceRef<
  OrganizationPermissionResource,
  IngestionResourceQuery
>().with({ pluginId: 'ingestion', resourceType: ORGANIZATION_RESOURCE_TYPE });

/** @public */
export const pipelinePermissionResourceRef = createPermissionResourceRef<
  OwnedPermissionResource,
  IngestionResourceQuery
>().with({ pluginId: 'ingestion', resourceType: PIPELINE_RESOURCE_TYPE });

/** @public */
export const tablePermissionResourceRef = createPermissionResourceRef<
  OwnedPermissionResource,
  IngestionResourceQuery
>().with({ pluginId: 'ingestion', resourceType: TABLE_RESOURCE_TYPE });
