/**
 * Where generated notebooks read connection credentials: one Databricks secret scope per organization and
 * connection. Whoever provisions connections (the deploy action) writes the same scope and keys.
 */

/**
 * Secret keys a generated notebook reads from a connection's scope, by source kind.
 *
 * @public
 */
export const CONNECTION_SECRET_KEYS = Object.freeze({
  /** JDBC sources (MySQL, MariaDB, PostgreSQL). `url` is the full JDBC URL, e.g. `jdbc:postgresql://host:5432/db`. */
  jdbc: Object.freeze(['url', 'user', 'password'] as const),
  /** Kafka with SASL/PLAIN over TLS. */
  kafka: Object.freeze(['username', 'password'] as const),
  /** HTTP APIs: a bearer `token`, or else `username` and `password` for basic auth. */
  http: Object.freeze(['token', 'username', 'password'] as const),
  /** Files on S3 with their own credentials (instead of the cluster's instance profile). */
  s3: Object.freeze(['access_key_id', 'secret_access_key'] as const),
});

/** Secret scope names may hold letters, digits, `-`, `_`, `.` and `@`, up to 128 characters. */
const SCOPE_INVALID = /[^A-Za-z0-9_.@-]+/g;
const SCOPE_MAX = 128;

/**
 * The Databricks secret scope holding a connection's credentials: `ingestion-<organization>-<connection>`,
 * with characters scopes do not allow replaced by `_`.
 *
 * @public
 */
export function secretScopeName(
  organizationId: string,
  connection: string,
): string {
  if (!organizationId || !connection) {
    throw new Error(
      'A secret scope needs both an organization id and a connection name',
    );
  }
  return `ingestion-${organizationId}-${connection}`
    .replace(SCOPE_INVALID, '_')
    .slice(0, SCOPE_MAX);
}
