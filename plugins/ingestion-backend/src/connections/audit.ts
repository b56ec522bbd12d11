/** Actions of the connections capability, as they are written to the audit log. */
export type ConnectionAuditAction =
  | 'connection.create'
  | 'connection.rotate'
  | 'connection.test'
  | 'connection.delete'
  | 'connection.reencrypt';

/**
 * One audit event of the connections capability, in the shape of the `audit_events` table
 * (who, org, action, target, outcome, time). Never carries a secret.
 */
export interface ConnectionAuditEvent {
  organizationId: string;
  actor: string;
  action: ConnectionAuditAction;
  targetType: 'connection';
  /** The connection id; absent for organization-wide actions (re-encryption). */
  targetId?: string;
  outcome: 'success' | 'denied' | 'failure';
  reason?: string;
  meta?: Record<string, unknown>;
}

/**
 * Where connection audit events go.
 *
 * TODO(audit): wire this to the audit log (`src/audit/`) in `src/plugin.ts` once it exists; until
 * then the plugin passes none and events are only counted in the logger at debug level.
 */
export type ConnectionAuditSink = (
  event: ConnectionAuditEvent,
) => Promise<void>;

export { actorOf } from '../audit/AuditLog';
