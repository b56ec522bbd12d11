import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/frontend-plugin-api';
import type {
  AuditEvent,
  AuditPageQuery,
  AuditQuery,
  Connection,
  ConnectionTestResult,
  ConnectionUsage,
  NewConnection,
  Page,
  QuotaUsageHistory,
  RoleGroups,
  RotateConnection,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { IngestionHttp, segment } from './IngestionHttp';

export type {
  AuditEvent,
  AuditOutcome,
  AuditPageQuery,
  AuditQuery,
  Connection,
  ConnectionTestResult,
  ConnectionType,
  ConnectionUsage,
  NewConnection,
  QuotaUsageHistory,
  RoleGroups,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/**
 * The admin console's client: connections, quota usage, role groups and the audit log of one
 * organization at a time. The backend decides who may do what; this client only asks.
 *
 * @public
 */
export interface AdminApi {
  listConnections(
    organization: string,
    cursor?: string,
  ): Promise<Page<Connection>>;
  createConnection(connection: NewConnection): Promise<Connection>;
  rotateConnection(id: string, password: string): Promise<Connection>;
  testConnection(id: string): Promise<ConnectionTestResult>;
  deleteConnection(id: string): Promise<void>;
  listConnectionUsage(organization: string): Promise<Page<ConnectionUsage>>;
  getQuotaUsage(organization: string): Promise<QuotaUsageHistory>;
  getRoleGroups(organization: string): Promise<RoleGroups>;
  listAuditEvents(query: AuditPageQuery): Promise<Page<AuditEvent>>;
  /** Every event matching the filters (up to the server's cap) as CSV text. */
  exportAuditEvents(query: AuditQuery): Promise<string>;
}

/** @public */
export const adminApiRef = createApiRef<AdminApi>({
  id: 'plugin.ingestion.admin',
});

/**
 * The default {@link AdminApi}, on the transport every ingestion client shares.
 *
 * @public
 */
export class AdminClient implements AdminApi {
  private readonly http: IngestionHttp;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.http = new IngestionHttp(options);
  }

  listConnections(organization: string, cursor?: string) {
    return this.http.get<Page<Connection>>('/connections', {
      organization,
      cursor,
    });
  }

  createConnection(connection: NewConnection) {
    return this.http.post<Connection>('/connections', connection);
  }

  rotateConnection(id: string, password: string) {
    const body: RotateConnection = { password };
    return this.http.post<Connection>(
      `/connections/${segment(id)}/rotate`,
      body,
    );
  }

  testConnection(id: string) {
    return this.http.post<ConnectionTestResult>(
      `/connections/${segment(id)}/test`,
    );
  }

  deleteConnection(id: string) {
    return this.http.delete(`/connections/${segment(id)}`);
  }

  listConnectionUsage(organization: string) {
    return this.http.get<Page<ConnectionUsage>>(
      '/governance/connection-usage',
      { organization },
    );
  }

  getQuotaUsage(organization: string) {
    return this.http.get<QuotaUsageHistory>('/governance/quota-usage', {
      organization,
    });
  }

  getRoleGroups(organization: string) {
    return this.http.get<RoleGroups>('/governance/roles', { organization });
  }

  listAuditEvents(query: AuditPageQuery) {
    return this.http.get<Page<AuditEvent>>('/audit', { ...query });
  }

  exportAuditEvents(query: AuditQuery) {
    return this.http.getText('/audit', { ...query, format: 'csv' });
  }
}
