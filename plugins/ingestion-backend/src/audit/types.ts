import type {
  AuditorServiceEventSeverityLevel,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';
import type { Request } from 'express';

/** What came of an audited action. */
export type AuditOutcome = 'success' | 'denied' | 'failure';

export const AUDIT_OUTCOMES: readonly AuditOutcome[] = [
  'success',
  'denied',
  'failure',
];

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

/** An audit event as `GET /v1/audit` returns it. */
export interface AuditEvent {
  id: string;
  organization: string;
  actor: string;
  action: string;
  targetType: string;
  targetId?: string;
  outcome: AuditOutcome;
  reason?: string;
  meta?: JsonObject;
  /** ISO 8601, UTC. */
  at: string;
}

/** Filters and page of `GET /v1/audit`. */
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
