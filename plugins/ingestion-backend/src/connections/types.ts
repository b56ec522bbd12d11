/** The kinds of source a connection can point at. */
export const CONNECTION_TYPES = [
  'mysql',
  'mariadb',
  'postgres',
  'kafka',
  'http',
  's3',
] as const;

export type ConnectionType = (typeof CONNECTION_TYPES)[number];

/** Non-secret settings of a connection; their shape depends on the type (see `schema.ts`). */
export type ConnectionSettings = Record<string, unknown>;

/** A connection as the API returns it: never with its secret. */
export interface Connection {
  id: string;
  organization: string;
  name: string;
  type: ConnectionType;
  settings: ConnectionSettings;
  /** Always true: every connection has a secret, which is write-only. */
  hasSecret: true;
  /** Id of the master key the secret is currently encrypted under. */
  keyId: string;
  createdBy: string;
  createdAt: string;
  rotatedAt?: string;
}

/** What an engine needs to open a source: service-internal, never over HTTP. */
export interface ResolvedConnection {
  id: string;
  organization: string;
  name: string;
  type: ConnectionType;
  settings: ConnectionSettings;
  password: string;
}

/** The outcome of `POST /connections/{id}/test`. */
export interface ConnectionTestResult {
  ok: boolean;
  /** False for types the backend cannot test (kafka, http, s3). */
  testable: boolean;
  message: string;
  latencyMs: number;
}

/** The outcome of a re-encryption pass over an organization's connections. */
export interface ReencryptResult {
  organization: string;
  keyId: string;
  /** Rows moved to the current key. */
  reencrypted: number;
  /** Rows already on the current key. */
  unchanged: number;
  /** Ids of rows that could not be decrypted (unknown key, tampered). */
  failed: string[];
}
