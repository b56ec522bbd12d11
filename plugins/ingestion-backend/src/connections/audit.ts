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
 * Where connection audit events go: the plugin passes the audit log (`src/audit/`); without one
 * (some tests), events are only written to the logger at debug level. Denials the authorizer has
 * already recorded are not sent again.
 */
export type ConnectionAuditSink = (
  event: ConnectionAuditEvent,
) => Promise<void>;

export { actorOf } from '../audit/AuditLog';
