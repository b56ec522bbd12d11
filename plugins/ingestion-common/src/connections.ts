/**
 * The connection wire types (`/v1/connections/…`), shared by the backend that answers and the
 * admin console that asks. Secrets are write-only: they go in create and rotate bodies and never
 * come back.
 */

/** The kinds of source a connection can point at. @public */
export const CONNECTION_TYPES = [
  'mysql',
  'mariadb',
  'postgres',
  'kafka',
  'http',
  's3',
] as const;

/** @public */
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

/** Non-secret settings of a connection; their shape depends on the type. @public */
export type ConnectionSettings = Record<string, unknown>;

/** A connection as the API returns it: never with its secret. @public */
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
  /** ISO 8601, UTC. */
  createdAt: string;
  /** ISO 8601, UTC; absent until the secret is first rotated. */
  rotatedAt?: string;
}

/**
 * `POST /v1/connections`: the settings of the type flat beside organization, name, type and
 * password (mysql, mariadb, postgres: host, port, database, user, ssl; kafka: bootstrapServers,
 * saslMechanism, user, ssl; http: baseUrl, auth, user, headerName; s3: bucket, prefix, region,
 * endpoint, forcePathStyle, accessKeyId). The backend checks each type's settings.
 *
 * @public
 */
export type NewConnection = {
  organization: string;
  name: string;
  type: ConnectionType;
  /** The secret, encrypted at rest and write-only. */
  password: string;
} & ConnectionSettings;

/** `POST /v1/connections/{id}/rotate`: the new secret, write-only. @public */
export interface RotateConnection {
  password: string;
}

/** `POST /v1/connections/{id}/test`: the outcome of testing a connection with its stored secret. @public */
export interface ConnectionTestResult {
  ok: boolean;
  /** False for types the backend cannot test (kafka, http, s3). */
  testable: boolean;
  /** The driver's reason on failure, with the secret masked. */
  message: string;
  latencyMs: number;
}

/** `POST /v1/connections/reencrypt`: the outcome of re-encrypting an organization's secrets. @public */
export interface ReencryptResult {
  organization: string;
  /** The current master key's id, which the secrets are now under. */
  keyId: string;
  /** Rows moved to the current key. */
  reencrypted: number;
  /** Rows already on the current key. */
  unchanged: number;
  /** Ids of rows that could not be decrypted (unknown key, tampered). */
  failed: string[];
}
