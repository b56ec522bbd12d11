/**
 * The audit log's wire types (`GET /v1/audit`), shared by the backend that answers and the admin
 * console that asks.
 */

/** What came of an audited action. @public */
export const AUDIT_OUTCOMES = ['success', 'denied', 'failure'] as const;

/** @public */
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** An audit event as `GET /v1/audit` returns it. @public */
export interface AuditEvent {
  id: string;
  organization: string;
  /** A user entity ref or `service:<subject>`. */
  actor: string;
  /** `<target type>.<verb>`, lower case: `pipeline.create`, `connection.rotate`, `run.cancel`. */
  action: string;
  /** `pipeline`, `run`, `table`, `connection`, `organization`, … */
  targetType: string;
  targetId?: string;
  outcome: AuditOutcome;
  /** Why it was denied or failed. */
  reason?: string;
  /** Details (names, versions, changed fields), with secret-looking keys dropped. */
  meta?: Record<string, unknown>;
  /** ISO 8601, UTC. */
  at: string;
}

/** The filters of `GET /v1/audit` (and of its CSV export). @public */
export interface AuditQuery {
  organization: string;
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  outcome?: AuditOutcome;
  /** Events at or after this time, ISO 8601. */
  from?: string;
  /** Events before this time, ISO 8601. */
  to?: string;
}

/** The filters of `GET /v1/audit` with the page asked for. @public */
export interface AuditPageQuery extends AuditQuery {
  /** The previous page's `nextCursor`. */
  cursor?: string;
  /** Page size, 1 to 500 (default 50). */
  limit?: number;
}
