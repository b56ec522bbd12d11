import type { PermissionsRegistryService } from '@backstage/backend-plugin-api';
import { ingestionPermissions } from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  organizationPermissionResourceRef,
  organizationRules,
  pipelinePermissionResourceRef,
  pipelineRules,
  tablePermissionResourceRef,
  tableRules,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { PermissionResourcesStore } from './database/PermissionResourcesStore';
import type { OrganizationDirectory } from './organizations/OrganizationDirectory';

/** Registers the three ingestion resource types, their rules and permissions. */
export function registerPermissions(options: {
  permissionsRegistry: PermissionsRegistryService;
  directory: OrganizationDirectory;
  resources: PermissionResourcesStore;
}) {
  const { permissionsRegistry, directory, resources } = options;
  const ofType = (type: string) =>
    ingestionPermissions.filter(p => p.resourceType === type);

  permissionsRegistry.addResourceType({
    resourceRef: organizationPermissionResourceRef,
    permissions: ofType(organizationPermissionResourceRef.resourceType),
    rules: Object.values(organizationRules),
    getResources: async ids =>
      ids.map(id => (directory.find(id) ? { organizationId: id } : undefined)),
  });
  permissionsRegistry.addResourceType({
    resourceRef: pipelinePermissionResourceRef,
    permissions: ofType(pipelinePermissionResourceRef.resourceType),
    rules: Object.values(pipelineRules),
    getResources: ids => resources.pipelines(ids),
  });
  permissionsRegistry.addResourceType({
    resourceRef: tablePermissionResourceRef,
    permissions: ofType(tablePermissionResourceRef.resourceType),
    rules: Object.values(tableRules),
    getResources: ids => resources.tables(ids),
  });
}
