import { useSignal } from '@backstage/plugin-signals-react';
import { useEffect, useRef, useState } from 'react';
import {
  organizationRunsChannel,
  type RunStatusSignal,
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
  const throttleMs = options.throttleMs ?? 2000;
  const fallbackPollMs = options.fallbackPollMs ?? 30_000;
  const { lastSignal, isSignalsAvailable } = useSignal<RunStatusSignal>(
    organizationRunsChannel(options.organization),
  );
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
    if (isSignalsAvailable) return undefined;
    const timer = setInterval(() => setGeneration(g => g + 1), fallbackPollMs);
    return () => clearInterval(timer);
  }, [isSignalsAvailable, fallbackPollMs]);

  return { generation, live: isSignalsAvailable };
}
