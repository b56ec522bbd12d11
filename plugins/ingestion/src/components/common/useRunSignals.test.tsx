import { signalApiRef, type SignalApi } from '@backstage/plugin-signals-react';
import { TestApiProvider } from '@backstage/test-utils';
import { act, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { useRunSignals } from './useRunSignals';

function mockSignals() {
  const listeners = new Map<string, (message: any) => void>();
  const api: SignalApi = {
    subscribe(channel, onMessage) {
      listeners.set(channel, onMessage as (message: any) => void);
      return { unsubscribe: () => listeners.delete(channel) };
    },
  };
  return { api, listeners };
}

describe('useRunSignals', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("refetches once per burst of the pipeline's run signals", () => {
    const { api, listeners } = mockSignals();
    const wrapper = ({ children }: { children: ReactNode }) => (
      <TestApiProvider apis={[[signalApiRef, api]]}>{children}</TestApiProvider>
    );
    const { result } = renderHook(() => useRunSignals({ pipelineId: 'p1' }), {
      wrapper,
    });
    expect(result.current).toMatchObject({ generation: 0, live: true });
    expect([...listeners.keys()]).toEqual(['ingestion:pipeline-runs:p1']);

    const signal = (status: string) =>
      act(() =>
        listeners.get('ingestion:pipeline-runs:p1')!({
          runId: 'r1',
          pipelineId: 'p1',
          organization: 'finance',
          status,
        }),
      );
    signal('running');
    signal('succeeded');
    act(() => jest.advanceTimersByTime(1000));
    expect(result.current.generation).toBe(1);
    expect(result.current.lastSignal?.status).toBe('succeeded');

    // Nothing changes, nothing is fetched.
    act(() => jest.advanceTimersByTime(60_000));
    expect(result.current.generation).toBe(1);
  });

  it('polls only while runs are active when the app has no signals', () => {
    const { result, rerender } = renderHook(
      ({ active }) => useRunSignals({ pipelineId: 'p1', active }),
      {
        initialProps: { active: false },
        wrapper: ({ children }) => (
          <TestApiProvider apis={[]}>{children}</TestApiProvider>
        ),
      },
    );
    expect(result.current.live).toBe(false);
    act(() => jest.advanceTimersByTime(60_000));
    expect(result.current.generation).toBe(0);
    rerender({ active: true });
    act(() => jest.advanceTimersByTime(30_000));
    expect(result.current.generation).toBe(2);
  });
});
