/** UTC calendar helpers for spend: days are `YYYY-MM-DD`, months `YYYY-MM`. */

export const DAY_MS = 86_400_000;

export const dayOf = (date: Date) => date.toISOString().slice(0, 10);
export const monthOf = (date: Date) => date.toISOString().slice(0, 7);

export function monthStart(month: string): Date {
  return new Date(`${month}-01T00:00:00Z`);
}

export function addMonths(month: string, count: number): string {
  const date = monthStart(month);
  date.setUTCMonth(date.getUTCMonth() + count);
  return monthOf(date);
}

export function daysInMonth(month: string): number {
  return (
    (monthStart(addMonths(month, 1)).getTime() - monthStart(month).getTime()) /
    DAY_MS
  );
}

export function lastDayOf(month: string): string {
  return dayOf(new Date(monthStart(addMonths(month, 1)).getTime() - DAY_MS));
}

/** The Monday of the ISO week a day is in. */
export function weekOf(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  const offset = (date.getUTCDay() + 6) % 7;
  return dayOf(new Date(date.getTime() - offset * DAY_MS));
}

/**
 * The month-end forecast from the month so far: the spend per elapsed day, over the whole month.
 * Less than a day into the month, the first day's spend stands for a whole day.
 */
export function monthEndForecast(monthToDate: number, now: Date): number {
  const month = monthOf(now);
  const elapsedDays = (now.getTime() - monthStart(month).getTime()) / DAY_MS;
  return (monthToDate * daysInMonth(month)) / Math.max(elapsedDays, 1);
}

/** Amounts in micro-units: a local run costs fractions of a cent. */
export const roundAmount = (n: number) => Math.round(n * 1e6) / 1e6;
