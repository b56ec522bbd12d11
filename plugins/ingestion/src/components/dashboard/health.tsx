import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import type { PipelineHealth } from '../../api/DashboardApi';

/** How each health reads on screen. */
export const HEALTH_LABELS: Record<PipelineHealth, string> = {
  failed: 'Last run failed',
  quality_breached: 'Quality breached',
  stale: 'Stale against schedule',
  healthy: 'Healthy',
};

/** A pipeline's health with the portal's status colours. */
export function HealthStatus(props: {
  health: PipelineHealth;
  label?: string;
}) {
  const label = props.label ?? HEALTH_LABELS[props.health];
  switch (props.health) {
    case 'failed':
      return <StatusError>{label}</StatusError>;
    case 'quality_breached':
      return <StatusWarning>{label}</StatusWarning>;
    case 'stale':
      return <StatusPending>{label}</StatusPending>;
    default:
      return <StatusOK>{label}</StatusOK>;
  }
}
