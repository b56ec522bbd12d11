import {
  createPermission,
  type ResourcePermission,
} from '@backstage/plugin-permission-common';

/**
 * The roles a user can hold in an organization (the product brief's access matrix).
 *
 * @public
 */
export const ORG_ROLES = ['admin', 'engineer', 'analyst', 'viewer'] as const;

/** @public */
export type OrgRole = (typeof ORG_ROLES)[number];

/**
 * Resource type of organizations: permissions that act on an organization as a whole (creating
 * pipelines, connections, infrastructure, costs, audit) are checked against the organization id.
 * @public
 */
export const ORGANIZATION_RESOURCE_TYPE = 'ingestion-organization';
/** Resource type of pipelines, for conditional decisions. @public */
export const PIPELINE_RESOURCE_TYPE = 'ingestion-pipeline';
/** Resource type of tables (the "data" column of the matrix). @public */
export const TABLE_RESOURCE_TYPE = 'ingestion-table';

/** @public */
export const pipelineReadPermission = createPermission({
  name: 'ingestion.pipeline.read',
  attributes: { action: 'read' },
  resourceType: PIPELINE_RESOURCE_TYPE,
});
/** @public */
export const pipelineCreatePermission = createPermission({
  name: 'ingestion.pipeline.create',
  attributes: { action: 'create' },
  resourceType: ORGANIZATION_RESOURCE_TYPE,
});
/** @public */
export const pipelineUpdatePermission = createPermission({
  name: 'ingestion.pipeline.update',
  attributes: { action: 'update' },
  resourceType: PIPELINE_RESOURCE_TYPE,
});
/** @public */
export const pipelineDeletePermission = createPermission({
  name: 'ingestion.pipeline.delete',
  attributes: { action: 'delete' },
  resourceType: PIPELINE_RESOURCE_TYPE,
});
/** Trigger or cancel runs. @public */
export const pipelineExecutePermission = createPermission({
  name: 'ingestion.pipeline.execute',
  attributes: { action: 'update' },
  resourceType: PIPELINE_RESOURCE_TYPE,
});
/**
 * Trigger a run with overridden inputs: a watermark to start from, or a full refresh that
 * ignores the recorded one. Both decide which rows are loaded again (or skipped). @public
 */
export const runOverridePermission = createPermission({
  name: 'ingestion.run.override',
  attributes: { action: 'update' },
  resourceType: PIPELINE_RESOURCE_TYPE,
});
/** @public */
export const tableReadPermission = createPermission({
  name: 'ingestion.table.read',
  attributes: { action: 'read' },
  resourceType: TABLE_RESOURCE_TYPE,
});
/** @public */
export const tableWritePermission = createPermission({
  name: 'ingestion.table.write',
  attributes: { action: 'update' },
  resourceType: TABLE_RESOURCE_TYPE,
});
/** See that connections exist and use them in pipelines; never their secret values. @public */
export const connectionReadPermission = createPermission({
  name: 'ingestion.connection.read',
  attributes: { action: 'read' },
  resourceType: ORGANIZATION_RESOURCE_TYPE,
});
/** Create, rotate, test and delete connections. @public */
export const connectionManagePermission = createPermission({
  name: 'ingestion.connection.manage',
  attributes: { action: 'update' },
  resourceType: ORGANIZATION_RESOURCE_TYPE,
});
/** Quotas, engines, Databricks workspaces, deployments. @public */
export const infrastructureReadPermission = createPermission({
  name: 'ingestion.infrastructure.read',
  attributes: { action: 'read' },
  resourceType: ORGANIZATION_RESOURCE_TYPE,
});
/** @public */
export const infrastructureWritePermission = createPermission({
  name: 'ingestion.infrastructure.write',
  attributes: { action: 'update' },
  resourceType: ORGANIZATION_RESOURCE_TYPE,
});
/** @public */
export const costReadPermission = createPermission({
  name: 'ingestion.cost.read',
  attributes: { action: 'read' },
  resourceType: ORGANIZATION_RESOURCE_TYPE,
});
/** Setting an organization's and its teams' budgets (admins). @public */
export const budgetManagePermission = createPermission({
  name: 'ingestion.budget.manage',
  attributes: { action: 'update' },
  resourceType: ORGANIZATION_RESOURCE_TYPE,
});
/** @public */
export const auditReadPermission = createPermission({
  name: 'ingestion.audit.read',
  attributes: { action: 'read' },
  resourceType: ORGANIZATION_RESOURCE_TYPE,
});

/** Every permission of the ingestion plugins. @public */
export const ingestionPermissions: ResourcePermission[] = [
  pipelineReadPermission,
  pipelineCreatePermission,
  pipelineUpdatePermission,
  pipelineDeletePermission,
  pipelineExecutePermission,
  runOverridePermission,
  tableReadPermission,
  tableWritePermission,
  connectionReadPermission,
  connectionManagePermission,
  infrastructureReadPermission,
  infrastructureWritePermission,
  costReadPermission,
  budgetManagePermission,
  auditReadPermission,
];

/**
 * The access matrix: which permissions each role grants inside its own organization.
 * Admin: full; engineer: pipelines CRUD + execute, data read/write, secrets read,
 * infrastructure read; analyst: pipelines read + execute, data read; viewer: reads.
 * Cost is visible to everyone who works with pipelines; audit to admins only.
 *
 * @public
 */
export const ROLE_PERMISSIONS: Readonly<Record<OrgRole, readonly string[]>> = {
  admin: ingestionPermissions.map(p => p.name),
  engineer: [
    pipelineReadPermission.name,
    pipelineCreatePermission.name,
    pipelineUpdatePermission.name,
    pipelineDeletePermission.name,
    pipelineExecutePermission.name,
    runOverridePermission.name,
    tableReadPermission.name,
    tableWritePermission.name,
    connectionReadPermission.name,
    infrastructureReadPermission.name,
    costReadPermission.name,
  ],
  analyst: [
    pipelineReadPermission.name,
    pipelineExecutePermission.name,
    tableReadPermission.name,
    costReadPermission.name,
  ],
  viewer: [pipelineReadPermission.name, tableReadPermission.name],
};

/**
 * Whether any of the given roles grants the permission.
 *
 * @public
 */
export function rolesGrant(
  roles: readonly OrgRole[],
  permissionName: string,
): boolean {
  return roles.some(role => ROLE_PERMISSIONS[role].includes(permissionName));
}
