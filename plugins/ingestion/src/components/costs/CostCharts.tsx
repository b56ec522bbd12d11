import type { SpendSeries } from '@ingestion-for-backstage/plugin-ingestion-common';
import { useTheme } from '@material-ui/core/styles';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatCost } from '../common/format';

/** Series beyond this many tag values are summed into "other" (a chart stays readable). */
export const MAX_SERIES = 8;
const OTHER = 'other';

/** `2026-07` → `Jul 2026` (months of cost records are UTC). */
export function monthLabel(month: string): string {
  const [year, m] = month.split('-').map(Number);
  if (!year || !m) return month;
  return new Date(Date.UTC(year, m - 1, 1)).toLocaleString('en-US', {
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

/** Axis ticks: whole currency units, compact (`$1.2K`). */
const axisMoney = (currency: string) => (value: number) =>
  new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    notation: 'compact',
    maximumFractionDigits: 1,
  }).format(value);

function usePalette(): string[] {
  const theme = useTheme();
  return [
    theme.palette.primary.main,
    theme.palette.secondary.main,
    theme.palette.success?.main ?? '#2e7d32',
    theme.palette.warning?.main ?? '#ed6c02',
    theme.palette.info?.main ?? '#0288d1',
    theme.palette.error.main,
    '#8e24aa',
    '#6d4c41',
    theme.palette.grey[500],
  ];
}

/** Spend per month (the cost card's six-month trend), one bar a month. */
export function MonthlyTrendChart(props: {
  trend: Array<{ month: string; amount: number }>;
  currency: string;
  height?: number;
}) {
  const [color] = usePalette();
  const data = props.trend.map(t => ({ ...t, label: monthLabel(t.month) }));
  return (
    <ResponsiveContainer width="100%" height={props.height ?? 180}>
      <BarChart
        data={data}
        margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
        accessibilityLayer
      >
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={{ fontSize: 12 }} />
        <YAxis
          width={64}
          tick={{ fontSize: 12 }}
          tickFormatter={axisMoney(props.currency)}
        />
        <Tooltip
          formatter={(value: unknown) => [
            formatCost(Number(value), props.currency),
            'Spend',
          ]}
        />
        <Bar dataKey="amount" name="Spend" fill={color} />
      </BarChart>
    </ResponsiveContainer>
  );
}

/**
 * Rows of a stacked chart: one per period, a column per tag value (the largest
 * {@link MAX_SERIES}; the rest as "other").
 */
export function stackRows(series: SpendSeries): {
  keys: Array<{ key: string; label: string }>;
  rows: Array<Record<string, string | number>>;
} {
  const shown = series.keys.slice(0, MAX_SERIES);
  const shownKeys = new Set(shown.map(k => k.key));
  const hasOther = series.keys.length > MAX_SERIES;
  const byPeriod = new Map<string, Record<string, string | number>>();
  for (const point of series.points) {
    const row = byPeriod.get(point.period) ?? { period: point.period };
    const column = shownKeys.has(point.key) ? point.key : OTHER;
    row[column] = Number(row[column] ?? 0) + point.amount;
    byPeriod.set(point.period, row);
  }
  return {
    keys: [
      ...shown.map(k => ({ key: k.key, label: k.label })),
      ...(hasOther ? [{ key: OTHER, label: 'Other' }] : []),
    ],
    rows: [...byPeriod.values()].sort((a, b) =>
      String(a.period).localeCompare(String(b.period)),
    ),
  };
}

/** Spend over time, stacked by the series' tag values. */
export function StackedSpendChart(props: { series: SpendSeries }) {
  const palette = usePalette();
  const { keys, rows } = stackRows(props.series);
  const { currency, granularity } = props.series;
  return (
    <ResponsiveContainer width="100%" height={300}>
      <BarChart
        data={rows}
        margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
        accessibilityLayer
      >
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis
          dataKey="period"
          tick={{ fontSize: 12 }}
          tickFormatter={(period: string) =>
            granularity === 'month' ? monthLabel(period) : period
          }
        />
        <YAxis
          width={64}
          tick={{ fontSize: 12 }}
          tickFormatter={axisMoney(currency)}
        />
        <Tooltip
          formatter={(value: unknown, name: unknown) => [
            formatCost(Number(value), currency),
            String(name),
          ]}
        />
        <Legend />
        {keys.map((k, i) => (
          <Bar
            key={k.key}
            dataKey={k.key}
            name={k.label}
            stackId="spend"
            fill={palette[i % palette.length]}
          />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}
