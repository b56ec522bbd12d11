import type { AuditLog } from '../audit/AuditLog';
import type { FinishedRun } from '../runs/RunResultRecorder';

/** The actor of what the run driver does on its own. */
export const RUN_DRIVER_ACTOR = 'service:ingestion-run-driver';

/**
 * A run listener that notes in the audit log which PII columns a run masked and why (the
 * governance policy's `audit_access` trail of `mask_in_non_production`).
 */
export function auditPiiMasking(
  audit: Pick<AuditLog, 'record'>,
): (event: FinishedRun) => Promise<void> {
  return async event => {
    if (!event.piiMasking) return;
    await audit.record({
      actor: RUN_DRIVER_ACTOR,
      organizationId: event.run.organization,
      action: 'run.mask-pii',
      targetType: 'run',
      targetId: event.run.id,
      outcome: 'success',
      reason: `The ${event.piiMasking.environment} environment masks PII (governance policy mask_in_non_production)`,
      meta: {
        pipelineId: event.run.pipelineId,
        environment: event.piiMasking.environment,
        tables: event.tables.map(t => t.identifier ?? t.location ?? t.id),
        columns: event.piiMasking.columns.map(c => ({
          column: c.column,
          types: c.types,
          source: c.source,
        })),
      },
    });
  };
}
