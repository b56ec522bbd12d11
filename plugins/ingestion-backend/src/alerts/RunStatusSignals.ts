import type { LoggerService } from '@backstage/backend-plugin-api';
import type { SignalsService } from '@backstage/plugin-signals-node';
import type { Run } from '@ingestion-for-backstage/plugin-ingestion-common';

/** The channel of an organization's run status changes. */
export function organizationRunsChannel(organizationId: string): string {
  return `ingestion:runs:${organizationId}`;
}

/** The channel of one pipeline's run status changes (its page listens to it). */
export function pipelineRunsChannel(pipelineId: string): string {
  return `ingestion:pipeline-runs:${pipelineId}`;
}

/**
 * What a run status signal carries: ids and the status only. Signals are a hint to refetch
 * through the API (which applies permissions); nothing a member of the organization may not
 * read travels in them.
 */
export interface RunStatusSignal {
  runId: string;
  pipelineId: string;
  organization: string;
  status: Run['status'];
  [key: string]: string;
}

/**
 * Publishes run status changes to the members of the run's organization (the groups of its
 * roles; the signals backend delivers to users whose ownership refs include a recipient), on
 * the organization's channel and the pipeline's. Never a broadcast: other tenants' users must
 * not learn that a run exists. Best effort: failures are logged.
 */
export class RunStatusSignals {
  constructor(
    private readonly options: {
      signals?: SignalsService;
      /** The entity refs of an organization's members (its role groups); empty when unknown. */
      membersOf(organizationId: string): string[];
      logger: LoggerService;
    },
  ) {}

  readonly publish = async (run: Run): Promise<void> => {
    const { signals, logger } = this.options;
    const recipients = [...new Set(this.options.membersOf(run.organization))];
    if (!signals || recipients.length === 0) return;
    const message: RunStatusSignal = {
      runId: run.id,
      pipelineId: run.pipelineId,
      organization: run.organization,
      status: run.status,
    };
    try {
      await Promise.all(
        [
          organizationRunsChannel(run.organization),
          pipelineRunsChannel(run.pipelineId),
        ].map(channel =>
          signals.publish({
            recipients: { type: 'user', entityRef: recipients },
            channel,
            message,
          }),
        ),
      );
    } catch (error) {
      logger.warn(`Run status signal for run ${run.id} failed: ${error}`);
    }
  };
}
