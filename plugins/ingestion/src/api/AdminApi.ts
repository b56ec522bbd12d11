import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/frontend-plugin-api';
import type {
  ConnectionUsage,
  Page,
  QuotaUsageHistory,
  RoleGroups,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { IngestionHttp, segment } from './IngestionHttp';

export type {
  ConnectionUsage,
  QuotaUsageHistory,
  RoleGroups,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/** The kinds of source a connection can point at. @public */
export type ConnectionType =
  | 'mysql'
  | 'mariadb'
  | 'postgres'
  | 'kafka'
  | 'http'
  | 's3';

/** A connection as the API returns it: its secret is write-only and never comes back. @public */
export interface Connection {
  id: string;
  organization: string;
  name: string;
  type: ConnectionType;
  /** Non-secret settings; their shape depends on the type. */
  settings: Record<string, unknown>;
  hasSecret: true;
  keyId: string;
  createdBy: string;
  createdAt: string;
  rotatedAt?: string;
}

/** `POST /connections`: the settings flat beside organization, name, type and password. @public */
export type NewConnection = {
  organization: string;
  name: string;
  type: ConnectionType;
  password: string;
} & Record<string, unknown>;

/** The outcome of testing a connection with its stored secret. @public */
export interface ConnectionTestResult {
  ok: boolean;
  /** False for types the backend cannot test (kafka, http, s3). */
  testable: boolean;
  message: string;
  latencyMs: number;
}

/** What came of an audited action. @public */
export type AuditOutcome = 'success' | 'denied' | 'failure';

/** One entry of an organization's audit log. @public */
export interface AuditEvent {
  id: string;
  organization: string;
  actor: string;
  action: string;
  targetType: string;
  targetId?: string;
  outcome: AuditOutcome;
  reason?: string;
  meta?: Record<string, unknown>;
  /** ISO 8601, UTC. */
  at: string;
}

/** Filters of the audit log; `from`/`to` are ISO 8601 times. @public */
export interface AuditQuery {
  organization: string;
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  outcome?: AuditOutcome;
  from?: string;
  to?: string;
}

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
  listAuditEvents(
    query: AuditQuery & { cursor?: string; limit?: number },
  ): Promise<Page<AuditEvent>>;
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
    return this.http.post<Connection>(`/connections/${segment(id)}/rotate`, {
      password,
    });
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

  listAuditEvents(query: AuditQuery & { cursor?: string; limit?: number }) {
    return this.http.get<Page<AuditEvent>>('/audit', { ...query });
  }

  exportAuditEvents(query: AuditQuery) {
    return this.http.getText('/audit', { ...query, format: 'csv' });
  }
}
