import { useSignal } from '@backstage/plugin-signals-react';
import { useEffect, useRef, useState } from 'react';

/** The message the backend publishes when a run's status changes (ids and status only). */
export interface RunStatusSignal {
  runId: string;
  pipelineId: string;
  organization: string;
  status: string;
  [key: string]: string;
}

/** The channel of one pipeline's run status changes (see the backend's RunStatusSignals). */
export function pipelineRunsChannel(pipelineId: string): string {
  return `ingestion:pipeline-runs:${pipelineId}`;
}

/** The channel of an organization's run status changes. */
export function organizationRunsChannel(organization: string): string {
  return `ingestion:runs:${organization}`;
}

/**
 * A generation number that changes when a run on `channel` changes status, so a view can
 * refetch through the API (signals are a hint; the API applies permissions). Signals arriving
 * close together cause one refetch (`throttleMs`). Without the signals plugin in the app, the
 * number changes every `fallbackPollMs` while `active` — never while nothing can change.
 */
export function useRunStatusChannel(options: {
  channel: string;
  active: boolean;
  throttleMs: number;
  fallbackPollMs: number;
}): { generation: number; live: boolean; lastSignal?: RunStatusSignal } {
  const { channel, active, throttleMs, fallbackPollMs } = options;
  const { lastSignal, isSignalsAvailable } =
    useSignal<RunStatusSignal>(channel);
  const [generation, setGeneration] = useState(0);
  const pending = useRef<ReturnType<typeof setTimeout>>();

  useEffect(() => {
    if (!lastSignal || pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = undefined;
      setGeneration(g => g + 1);
    }, throttleMs);
  }, [lastSignal, throttleMs]);

  useEffect(
    () => () => {
      if (pending.current) clearTimeout(pending.current);
    },
    [],
  );

  useEffect(() => {
    if (isSignalsAvailable || !active) return undefined;
    const timer = setInterval(() => setGeneration(g => g + 1), fallbackPollMs);
    return () => clearInterval(timer);
  }, [isSignalsAvailable, active, fallbackPollMs]);

  return {
    generation,
    live: isSignalsAvailable,
    lastSignal: lastSignal ?? undefined,
  };
}

/**
 * {@link useRunStatusChannel} for one pipeline's runs: without signals it polls only while
 * `active` (some run is not final).
 */
export function useRunSignals(options: {
  pipelineId: string;
  active?: boolean;
  throttleMs?: number;
  fallbackPollMs?: number;
}): { generation: number; live: boolean; lastSignal?: RunStatusSignal } {
  return useRunStatusChannel({
    channel: pipelineRunsChannel(options.pipelineId),
    active: options.active ?? false,
    throttleMs: options.throttleMs ?? 1000,
    fallbackPollMs: options.fallbackPollMs ?? 15_000,
  });
}
