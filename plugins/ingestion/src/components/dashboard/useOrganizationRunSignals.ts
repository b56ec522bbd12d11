import {
  organizationRunsChannel,
  useRunStatusChannel,
} from '../common/useRunSignals';

/**
 * A generation number that changes when any run of the organization changes status (throttled),
 * so the dashboard refetches its numbers through the API; without the signals plugin it changes
 * every `fallbackPollMs` (signals are a hint, best effort).
 */
export function useOrganizationRunSignals(options: {
  organization: string;
  throttleMs?: number;
  fallbackPollMs?: number;
}): { generation: number; live: boolean } {
  const { generation, live } = useRunStatusChannel({
    channel: organizationRunsChannel(options.organization),
    active: true,
    throttleMs: options.throttleMs ?? 2000,
    fallbackPollMs: options.fallbackPollMs ?? 30_000,
  });
  return { generation, live };
}
