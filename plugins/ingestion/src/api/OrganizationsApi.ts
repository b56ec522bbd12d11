import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/frontend-plugin-api';
import type {
  OrganizationQuotas,
  OrgRole,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { IngestionHttp, segment } from './IngestionHttp';

/**
 * An organization's settings as `POST /v1/organizations` takes them: the shape of an
 * `ingestion.organizations` entry without secrets. Left-out quotas get the backend's defaults.
 *
 * @public
 */
export interface OrganizationInput {
  id: string;
  name: string;
  description?: string;
  costCenter: string;
  environment: 'production' | 'staging' | 'development';
  ownerGroup: string;
  project?: string;
  roles: Partial<Record<OrgRole, string[]>>;
  quotas?: {
    [K in keyof OrganizationQuotas]?: Partial<OrganizationQuotas[K]>;
  };
  engine?: 'local' | 'databricks';
  storage: string;
  storageLocations?: string[];
  iceberg?: { catalog?: string };
  databricks?: {
    host: string;
    workspaceId?: string;
    clusterPolicyId?: string;
    billingWarehouseId?: string;
    notificationEmails?: string[];
  };
  budget?: { monthly: number; alertThresholds?: number[] };
  egress?: {
    allow: Array<{
      host?: string;
      cidr?: string;
      ports: Array<number | string>;
    }>;
  };
}

/**
 * An organization as the backend returns it: settings with defaults applied, where it came from
 * (the `config` seed or the `api`) and whether it is retired.
 *
 * @public
 */
export interface OrganizationRecord
  extends Omit<OrganizationInput, 'iceberg' | 'quotas' | 'roles' | 'engine'> {
  roles: Record<OrgRole, string[]>;
  quotas: OrganizationQuotas;
  engine: 'local' | 'databricks';
  icebergCatalog: string;
  origin: 'config' | 'api';
  retired: boolean;
  retiredAt?: string;
  createdAt?: string;
  updatedAt?: string;
  createdBy?: string;
  updatedBy?: string;
}

/**
 * Client of the platform admins' organization routes (`/api/ingestion/v1/organizations/*`).
 * Everyone else gets 403 from every call; the backend audits each change and each refusal.
 *
 * @public
 */
export interface OrganizationsApi {
  /** Every organization, retired ones included. */
  listAll(): Promise<{ items: OrganizationRecord[] }>;
  create(organization: OrganizationInput): Promise<OrganizationRecord>;
  /** Replaces the settings of `id`. */
  update(
    id: string,
    organization: Omit<OrganizationInput, 'id'>,
  ): Promise<OrganizationRecord>;
  /** Hides it from everyone but platform admins and stops its schedules; its data stays. */
  retire(id: string): Promise<OrganizationRecord>;
}

/** @public */
export const organizationsApiRef = createApiRef<OrganizationsApi>({
  id: 'plugin.ingestion.organizations',
});

/** {@link OrganizationsApi} over the shared transport. @public */
export class OrganizationsClient implements OrganizationsApi {
  private readonly http: IngestionHttp;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.http = new IngestionHttp(options);
  }

  listAll() {
    return this.http.get<{ items: OrganizationRecord[] }>(
      '/organizations/directory',
    );
  }

  create(organization: OrganizationInput) {
    return this.http.post<OrganizationRecord>('/organizations', organization);
  }

  update(id: string, organization: Omit<OrganizationInput, 'id'>) {
    return this.http.put<OrganizationRecord>(
      `/organizations/${segment(id)}`,
      organization,
    );
  }

  retire(id: string) {
    return this.http.post<OrganizationRecord>(
      `/organizations/${segment(id)}/retire`,
    );
  }
}
