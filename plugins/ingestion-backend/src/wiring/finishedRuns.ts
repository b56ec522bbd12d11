import type { AuditLog } from '../audit';
import type { startAlerts } from '../alerts';
import type { startSpend } from '../costs';
import type { startMetrics } from '../metrics';
import { auditPiiMasking, type PiiScanner } from '../pii';
import type { RunDriver } from '../runs';

/**
 * What follows a finished run: its tables scanned for PII, the PII masks non-production runs
 * applied in the audit log, its costs charged to the owner's team (a person's, from the catalog),
 * failure and quality alerts to the owners (and downstream owners), metrics and live status.
 */
export function followFinishedRuns(
  runDriver: Pick<RunDriver, 'onRunFinished'>,
  options: {
    pii: PiiScanner;
    audit: AuditLog;
    spend: Pick<Awaited<ReturnType<typeof startSpend>>, 'onRunFinished'>;
    alerts: Awaited<ReturnType<typeof startAlerts>>;
    telemetry: Pick<ReturnType<typeof startMetrics>, 'onRunFinished'>;
  },
): void {
  const { pii, audit, spend, alerts, telemetry } = options;
  runDriver.onRunFinished(event => pii.onRunFinished(event));
  // Which PII columns non-production runs masked, in the audit log.
  runDriver.onRunFinished(auditPiiMasking(audit));
  // A finished run's costs are charged to the owner's team (a person's, from the catalog).
  runDriver.onRunFinished(spend.onRunFinished);
  // Failure and quality alerts to the owners (and downstream owners), metrics, live status.
  runDriver.onRunFinished(alerts.runs.onRunFinished);
  runDriver.onRunFinished(telemetry.onRunFinished);
  runDriver.onRunFinished(event => alerts.signals.publish(event.run));
}
