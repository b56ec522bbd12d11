import type {
  AuditorServiceEventSeverityLevel,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import type { AuditOutcome } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Request } from 'express';

/** The audit log's wire types are declared in ingestion-common, for this backend and the admin console. */
export { AUDIT_OUTCOMES } from '@ingestion-for-backstage/plugin-ingestion-common';
export type {
  AuditEvent,
  AuditOutcome,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/**
 * One thing to put in the audit log: who did what to which target of which organization, and
 * what came of it. Pass `credentials` (the actor is derived from them) or an `actor` string.
 */
export interface AuditRecord {
  credentials?: BackstageCredentials;
  /** A user entity ref or `service:<subject>`; derived from `credentials` when absent. */
  actor?: string;
  organizationId: string;
  /** `<target type>.<verb>`, lower case: `pipeline.create`, `connection.rotate`, `run.cancel`. */
  action: string;
  /** `pipeline`, `run`, `table`, `connection`, `organization`, … */
  targetType: string;
  targetId?: string;
  outcome: AuditOutcome;
  /** Why it was denied or failed, in words a reader of the log understands. */
  reason?: string;
  /**
   * Details (names, versions, changed fields). Keys that look like secrets (password, secret,
   * token, credential, API key, private key, …) are dropped and passwords in URLs masked, but
   * do not rely on that: never put a secret here.
   */
  meta?: Record<string, unknown>;
  /** The HTTP request, for the auditor's actor, IP and user agent. */
  request?: Request;
  /**
   * Overrides the auditor severity: by default `high` for denials and for actions on credentials
   * and permissions (`connection.*`, `role.*`, `permission.*`), `medium` for other writes.
   */
  severityLevel?: AuditorServiceEventSeverityLevel;
  /**
   * False to only emit the event through the auditor (logs), not store it: for denials in
   * organizations that do not exist, which no admin could read and anyone could make up.
   */
  persist?: boolean;
}

/** Filters and page of `GET /v1/audit` as the router parsed them (times as dates) for the service. */
export interface AuditListQuery {
  action?: string;
  outcome?: AuditOutcome;
  targetType?: string;
  targetId?: string;
  actor?: string;
  /** Events at or after this time. */
  from?: Date;
  /** Events before this time. */
  to?: Date;
  cursor?: string;
  limit: number;
}
