import { CronExpressionParser } from 'cron-parser';
import { createHash } from 'node:crypto';

/**
 * Schedules of batch pipelines and of streaming pipelines over files (each scheduled run
 * processes what has arrived). The run a schedule triggers gets an id derived from the pipeline
 * and the fire time, so the fire time is remembered by the run itself: a restarted backend, or
 * a second replica, computes the same id and finds the run already there (the primary key makes
 * a concurrent second insert fail).
 */

function cronFireTime(
  cron: string,
  timezone: string | undefined,
  at: Date,
  direction: 'prev' | 'next',
): Date | undefined {
  try {
    const expression = CronExpressionParser.parse(cron, {
      currentDate: at,
      tz: timezone ?? 'UTC',
    });
    return (
      direction === 'prev' ? expression.prev() : expression.next()
    ).toDate();
  } catch {
    return undefined;
  }
}

/** The last time at or before `now` (strictly before, at the exact instant) the schedule fired. */
export function previousFireTime(
  cron: string,
  timezone: string | undefined,
  now: Date,
): Date | undefined {
  return cronFireTime(cron, timezone, now, 'prev');
}

/** The first time strictly after `after` the schedule fires. */
export function nextFireTime(
  cron: string,
  timezone: string | undefined,
  after: Date,
): Date | undefined {
  return cronFireTime(cron, timezone, after, 'next');
}

/** The id of the run a schedule triggers at `fireTime`. */
export function scheduledRunId(pipelineId: string, fireTime: Date): string {
  return nameBasedUuid(
    `ingestion-schedule|${pipelineId}|${fireTime.toISOString()}`,
  );
}

/**
 * A name-based (version 5 style) UUID: the same name always gives the same id, so the runs table's primary
 * key refuses a second run for the same thing (a fire time, a run an engine started on its own).
 */
export function nameBasedUuid(name: string): string {
  const hash = createHash('sha256').update(name).digest();
  // eslint-disable-next-line no-bitwise
  hash[6] = (hash[6] & 0x0f) | 0x50;
  // eslint-disable-next-line no-bitwise
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(
    12,
    16,
  )}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
