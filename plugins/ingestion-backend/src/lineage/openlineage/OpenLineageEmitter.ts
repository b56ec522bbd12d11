import type { LoggerService } from '@backstage/backend-plugin-api';
import type { FinishedRun } from '../../runs';
import type { OpenLineageService } from './OpenLineageService';
import type { RunEvent } from './runEvents';

export interface OpenLineageTransportSettings {
  /** Where events are POSTed, e.g. Marquez's `http://marquez:5000/api/v1/lineage`. */
  url: string;
  /** Sent as `Authorization: Bearer …` (DataHub, OpenMetadata). */
  apiKey?: string;
  /** Attempts per event, the first included. Default 5. */
  maxAttempts?: number;
  /** Delay before the first retry, doubled for each further one. Default 500 ms. */
  retryDelayMs?: number;
  timeoutMs?: number;
}

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * Sends each finished run's events (START, then COMPLETE, FAIL or ABORT) to an OpenLineage HTTP
 * endpoint, in order, retrying network errors, timeouts, 429 and 5xx with exponential back-off
 * (honouring `Retry-After`). Sending happens in the background: a slow or unreachable endpoint
 * never holds up the runs; an event that still fails after its attempts is logged and dropped.
 */
export class OpenLineageEmitter {
  private pending = new Set<Promise<void>>();

  constructor(
    private readonly options: {
      service: OpenLineageService;
      transport: OpenLineageTransportSettings;
      logger: LoggerService;
      fetch?: typeof globalThis.fetch;
      sleep?: (ms: number) => Promise<void>;
    },
  ) {}

  /** The run driver listener. */
  readonly onRunFinished = (event: FinishedRun): void => {
    const sending = this.emitRun(event.run.organization, event.run.id)
      .catch(error =>
        this.options.logger.warn(
          `OpenLineage events of run ${event.run.id} were not sent: ${error}`,
        ),
      )
      .finally(() => this.pending.delete(sending));
    this.pending.add(sending);
  };

  /** Waits for events being sent (tests, shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  async emitRun(organizationId: string, runId: string): Promise<void> {
    const events = await this.options.service.eventsOfRun(
      organizationId,
      runId,
    );
    for (const event of events) {
      await this.send(event);
    }
  }

  private sleep(ms: number) {
    return (
      this.options.sleep?.(ms) ??
      new Promise<void>(resolve => setTimeout(resolve, ms))
    );
  }

  async send(event: RunEvent): Promise<void> {
    const { transport } = this.options;
    const attempts = transport.maxAttempts ?? 5;
    const fetchImpl = this.options.fetch ?? globalThis.fetch;
    let delay = transport.retryDelayMs ?? 500;
    for (let attempt = 1; ; attempt++) {
      let retryAfterMs: number | undefined;
      let failure: string;
      try {
        const response = await fetchImpl(transport.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(transport.apiKey
              ? { authorization: `Bearer ${transport.apiKey}` }
              : {}),
          },
          body: JSON.stringify(event),
          signal: AbortSignal.timeout(transport.timeoutMs ?? 10_000),
        });
        if (response.ok) return;
        failure = `status ${response.status}`;
        if (!RETRYABLE.has(response.status)) {
          throw new Error(`${transport.url} refused the event: ${failure}`);
        }
        const retryAfter = Number(response.headers.get('retry-after'));
        if (Number.isFinite(retryAfter) && retryAfter > 0) {
          retryAfterMs = Math.min(retryAfter * 1000, 60_000);
        }
      } catch (error) {
        if ((error as Error).message?.includes('refused the event')) {
          throw error;
        }
        failure = String(error);
      }
      if (attempt >= attempts) {
        throw new Error(
          `${event.eventType} event not accepted after ${attempts} attempts: ${failure}`,
        );
      }
      await this.sleep(retryAfterMs ?? delay);
      delay *= 2;
    }
  }
}
