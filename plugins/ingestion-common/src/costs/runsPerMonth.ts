import { CronExpressionParser } from 'cron-parser';

/**
 * How often a cron schedule runs in an average month: its runs over the year 2025 divided by 12
 * (a fixed year, so an estimate does not change from day to day). Counting stops after 20,000
 * runs and extrapolates, so a schedule every minute costs no more to count than one every half hour.
 *
 * @public
 */
export function runsPerMonth(schedule: {
  cron: string;
  timezone?: string;
}): number {
  const start = Date.UTC(2025, 0, 1);
  const end = Date.UTC(2026, 0, 1);
  const expression = CronExpressionParser.parse(schedule.cron, {
    currentDate: new Date(start - 1),
    endDate: new Date(end),
    tz: schedule.timezone ?? 'UTC',
  });
  const cap = 20_000;
  let count = 0;
  let last = start;
  while (count < cap && expression.hasNext()) {
    last = expression.next().getTime();
    count++;
  }
  const span = count >= cap ? last - start : end - start;
  return (
    Math.round(((count * (end - start)) / Math.max(span, 1) / 12) * 10) / 10
  );
}
