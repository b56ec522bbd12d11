import type {
  ConnectionSettings,
  ConnectionType,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/** The connection wire types are declared in ingestion-common, for this backend and the admin console. */
export { CONNECTION_TYPES } from '@ingestion-for-backstage/plugin-ingestion-common';
export type {
  Connection,
  ConnectionSettings,
  ConnectionTestResult,
  ConnectionType,
  NewConnection,
  ReencryptResult,
  RotateConnection,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/** What an engine needs to open a source: service-internal, never over HTTP. */
export interface ResolvedConnection {
  id: string;
  organization: string;
  name: string;
  type: ConnectionType;
  settings: ConnectionSettings;
  password: string;
}
