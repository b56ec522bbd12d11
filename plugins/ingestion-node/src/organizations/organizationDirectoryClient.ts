import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import type {
  OrganizationQuotas,
  OrgRole,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/**
 * An organization as the ingestion backend's `GET /v1/organizations/directory` returns it: its
 * settings with defaults applied (never a secret: Databricks tokens and Iceberg REST catalogs stay
 * in config), where it came from and whether it is retired.
 */
export interface DirectoryOrganization {
  id: string;
  name: string;
  description?: string;
  costCenter: string;
  environment: 'production' | 'staging' | 'development';
  /** Full, lower-case group ref. */
  ownerGroup: string;
  project?: string;
  /** Full, lower-case group refs per role. */
  roles: Record<OrgRole, string[]>;
  quotas: OrganizationQuotas;
  engine: 'local' | 'databricks';
  storage: string;
  storageLocations?: string[];
  icebergCatalog: string;
  databricks?: {
    host: string;
    clusterPolicyId?: string;
    notificationEmails: string[];
    billingWarehouseId?: string;
    workspaceId?: string;
  };
  budget?: { monthly: number; alertThresholds: number[] };
  egress?: {
    allow: Array<{
      host?: string;
      cidr?: string;
      ports: Array<number | string>;
    }>;
  };
  /** `config` for the seed from `ingestion.organizations`, `api` for one created at run time. */
  origin: 'config' | 'api';
  retired: boolean;
  retiredAt?: string;
  createdAt?: string;
  updatedAt?: string;
  createdBy?: string;
  updatedBy?: string;
}

/** What `GET /v1/organizations/directory` answers. */
export interface OrganizationDirectoryResponse {
  items: DirectoryOrganization[];
  /** Changes whenever an organization is created, changed or retired. */
  version: string;
}

/**
 * Reads every organization, retired ones included, from the ingestion backend's
 * `GET /v1/organizations/directory` with the calling plugin's own service credentials. Only the
 * backend plugins the ingestion backend lets read the directory (the permission policy, the
 * catalog and the scaffolder) get an answer; others get a 403, thrown here like any other failure.
 *
 * The one client of the directory for every other plugin of the portal.
 */
export async function readOrganizationDirectory(options: {
  discovery: DiscoveryService;
  auth: AuthService;
  fetch?: typeof globalThis.fetch;
}): Promise<OrganizationDirectoryResponse> {
  const { discovery, auth } = options;
  const baseUrl = await discovery.getBaseUrl('ingestion');
  const { token } = await auth.getPluginRequestToken({
    onBehalfOf: await auth.getOwnServiceCredentials(),
    targetPluginId: 'ingestion',
  });
  const url = `${baseUrl}/v1/organizations/directory`;
  const response = await (options.fetch ?? globalThis.fetch)(url, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) {
    throw new Error(
      `GET ${url} answered ${response.status} ${response.statusText}`,
    );
  }
  const body =
    (await response.json()) as Partial<OrganizationDirectoryResponse>;
  if (!Array.isArray(body.items)) {
    throw new Error(`GET ${url} answered without items`);
  }
  return { items: body.items, version: String(body.version ?? '') };
}
