import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { markAuditedDenial } from './AuditLog';
import type { AuditRecord } from './types';

/** What the authorizer needs of the audit log. */
export interface DenialAudit {
  record(record: AuditRecord): Promise<void>;
}

/**
 * Records a denial the authorizer is about to throw (404 for a caller outside the organization,
 * 403 for a member whose roles do not allow the permission) and marks the error as recorded.
 * Never throws: auditing must not change the answer of an authorization check.
 *
 * The action is the permission's name without the `ingestion.` prefix (`pipeline.update`,
 * `audit.read`), the target type its first word.
 */
export async function recordDenial<E extends Error>(
  audit: DenialAudit | undefined,
  denial: {
    credentials: BackstageCredentials;
    permission: { name: string };
    organizationId: string;
    error: E;
    /** False when the organization does not exist: the event is logged, not stored. */
    organizationExists?: boolean;
    targetId?: string;
    description?: string;
  },
): Promise<E> {
  if (!audit) {
    return denial.error;
  }
  const action = denial.permission.name.replace(/^ingestion\./, '');
  try {
    await audit.record({
      credentials: denial.credentials,
      organizationId: denial.organizationId,
      action,
      targetType: action.split('.')[0] || 'organization',
      ...(denial.targetId !== undefined ? { targetId: denial.targetId } : {}),
      outcome: 'denied',
      reason: denial.error.message,
      meta: {
        permission: denial.permission.name,
        status: denial.error.name === 'NotFoundError' ? 404 : 403,
        ...(denial.description ? { target: denial.description } : {}),
      },
      persist: denial.organizationExists !== false,
    });
  } catch {
    // AuditLog.record logs its own failures; any other sink must not break authorization.
  }
  return markAuditedDenial(denial.error);
}
