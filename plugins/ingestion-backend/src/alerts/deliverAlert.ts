import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';

type NotificationPayload = NotificationSendOptions['payload'];

/** The topics of the plugin's notifications (users mute or route them in their settings). */
export const ALERT_TOPICS = {
  budget: 'ingestion-budget',
  runFailed: 'ingestion-run-failed',
  runRefused: 'ingestion-run-refused',
  quality: 'ingestion-quality',
  freshness: 'ingestion-freshness',
} as const;

/** The pipeline page, where run and quality alerts link to. */
export function pipelinePageLink(pipelineId: string): string {
  return `/ingestion/pipelines/${encodeURIComponent(pipelineId)}`;
}

/** A tab of the pipeline page (its runs, its quality results). */
export function pipelineTabLink(
  pipelineId: string,
  tab: 'runs' | 'quality',
): string {
  return `${pipelinePageLink(pipelineId)}?tab=${tab}`;
}

/**
 * Sends a claimed alert to entity recipients (users or groups; a group reaches its members).
 * Delivery is best effort: the claim stays recorded if the notifications backend is down, and
 * the failure is logged, never thrown, so one alert cannot stop the others.
 */
export async function deliverAlert(
  notifications: NotificationService | undefined,
  logger: LoggerService,
  alert: { recipients: string[]; payload: NotificationPayload },
): Promise<boolean> {
  const recipients = [...new Set(alert.recipients)];
  if (!notifications || recipients.length === 0) return false;
  try {
    await notifications.send({
      recipients: { type: 'entity', entityRef: recipients },
      payload: alert.payload,
    });
    return true;
  } catch (error) {
    logger.warn(
      `Notification '${alert.payload.title}' could not be sent: ${error}`,
    );
    return false;
  }
}
