import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import type { Run } from '@ingestion-for-backstage/plugin-ingestion-common';

/** A run's state with the portal's status colours. */
export function RunStatus({ status }: { status: Run['status'] }) {
  switch (status) {
    case 'succeeded':
      return <StatusOK>succeeded</StatusOK>;
    case 'failed':
      return <StatusError>failed</StatusError>;
    case 'quality_failed':
      return <StatusWarning>quality failed</StatusWarning>;
    case 'cancelled':
      return <StatusAborted>cancelled</StatusAborted>;
    case 'running':
    case 'submitted':
      return <StatusRunning>{status}</StatusRunning>;
    default:
      return <StatusPending>{status}</StatusPending>;
  }
}
