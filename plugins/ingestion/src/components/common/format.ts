/** How numbers, sizes, times and money read on the ingestion pages: one place, so they agree. */

const DASH = '—';

export function formatNumber(value: number | undefined): string {
  return value === undefined || value === null
    ? DASH
    : value.toLocaleString('en-US');
}

export function formatDbus(dbus: number | undefined): string {
  return dbus === undefined || dbus === null ? DASH : dbus.toFixed(2);
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || ms === null) return DASH;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return minutes < 60
    ? `${minutes} min ${seconds} s`
    : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || bytes === null) return DASH;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit]}`;
}

export function formatCost(
  amount: number | undefined,
  currency = 'USD',
): string {
  if (amount === undefined || amount === null) return DASH;
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: amount !== 0 && Math.abs(amount) < 0.01 ? 4 : 2,
  }).format(amount);
}

const ROW_SCALES = [
  { rows: 1, label: 'row' },
  { rows: 1_000, label: '1,000 rows' },
  { rows: 1_000_000, label: 'million rows' },
  { rows: 1_000_000_000, label: 'billion rows' },
];

/**
 * A cost per unit (per good row, per run) that may be far below a cent: three significant digits
 * instead of rounding to 0, then the unit: `$0.0000123 per row`.
 */
export function formatUnitCost(
  amount: number | undefined,
  currency = 'USD',
  unit = 'row',
): string {
  if (amount === undefined || amount === null) return DASH;
  // A row costs a billionth of a dollar on the local engine: priced per 1,000, million or
  // billion rows, the figure keeps digits a person can compare.
  const scale =
    unit === 'row' && amount !== 0
      ? ROW_SCALES.find(s => Math.abs(amount) * s.rows >= 0.01) ??
        ROW_SCALES[ROW_SCALES.length - 1]
      : { rows: 1, label: unit };
  const value = amount * scale.rows;
  const money = new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    ...(value !== 0 && Math.abs(value) < 0.1
      ? { maximumSignificantDigits: 3 }
      : { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  }).format(value);
  return `${money} per ${scale.label}`;
}

/** A fraction as a whole percentage: `0.8` → `80%`. */
export function formatPercent(fraction: number | undefined): string {
  if (fraction === undefined || fraction === null) return DASH;
  return `${Math.round(fraction * 100)}%`;
}

export function formatTime(value: string | number | undefined): string {
  if (value === undefined || value === null || value === '') return DASH;
  return new Date(value).toLocaleString();
}

/** Duration of a run: the engine's figure, else from its timestamps. */
export function runDurationMs(run: {
  durationMs?: number;
  startedAt?: string;
  finishedAt?: string;
}): number | undefined {
  if (run.durationMs !== undefined) return run.durationMs;
  if (run.startedAt && run.finishedAt) {
    return Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  }
  return undefined;
}
