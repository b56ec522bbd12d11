/**
 * Transform emitters: each returns Python lines that rebind `df`. Expressions arrive as {@link SparkSql}, i.e.
 * already parsed and re-rendered by the expression language, never as user text.
 */
import { parseDurationSeconds } from '@ingestion-for-backstage/plugin-ingestion-common';
import { pyCol, pyLiteral, pyStr, sparkColumnRef } from '../python';
import { sparkDataType, type SparkSql } from './expression';

const expr = (sql: SparkSql) => `F.expr(${pyStr(sql)})`;

export function filterTransform(condition: SparkSql): string[] {
  return [`df = df.filter(${expr(condition)})`];
}

export function selectTransform(columns: string[]): string[] {
  return [`df = df.select(${columns.map(pyCol).join(', ')})`];
}

export function renameTransform(mapping: Record<string, string>): string[] {
  // withColumnsRenamed takes names verbatim (no parsing), so no identifier quoting here.
  return [`df = df.withColumnsRenamed(${pyLiteral(mapping)})`];
}

export function castTransform(types: Record<string, string>): string[] {
  return Object.entries(types).map(
    ([column, type]) =>
      `df = df.withColumn(${pyStr(column)}, ${pyCol(column)}.cast(${pyStr(
        sparkDataType(type),
      )}))`,
  );
}

export function deriveTransform(
  column: string,
  expression: SparkSql,
): string[] {
  return [`df = df.withColumn(${pyStr(column)}, ${expr(expression)})`];
}

/** The spec's aggregate functions, mapped to `pyspark.sql.functions`. */
const AGGREGATES: Readonly<Record<string, string>> = {
  sum: 'F.sum',
  count: 'F.count',
  count_distinct: 'F.count_distinct',
  avg: 'F.avg',
  min: 'F.min',
  max: 'F.max',
};

/** Time window grouping: tumbling (`duration`), sliding (`duration` every `slide`) or session (`gap`). */
export type TimeWindow =
  | { type: 'tumbling'; column: string; duration: string }
  | { type: 'sliding'; column: string; duration: string; slide: string }
  | { type: 'session'; column: string; gap: string };

/** A spec duration (`"5 minutes"`) as a Spark interval literal; the spec's duration syntax is Spark's. */
function interval(text: string): string {
  if (parseDurationSeconds(text) === undefined) {
    throw new Error(`Invalid duration "${text}" (expected e.g. "5 minutes")`);
  }
  return pyStr(text.trim());
}

/** The Python grouping column of a time window, aliased `window` like Spark's own output. */
export function windowColumn(window: TimeWindow): string {
  switch (window.type) {
    case 'tumbling':
      return `F.window(${pyCol(window.column)}, ${interval(
        window.duration,
      )}).alias("window")`;
    case 'sliding':
      return `F.window(${pyCol(window.column)}, ${interval(
        window.duration,
      )}, ${interval(window.slide)}).alias("window")`;
    case 'session':
      return `F.session_window(${pyCol(window.column)}, ${interval(
        window.gap,
      )}).alias("window")`;
    default:
      throw new Error(
        `Unsupported window ${(window as { type: string }).type}`,
      );
  }
}

/**
 * Group-by aggregation. `count` without a column counts rows; a time window (from a preceding window transform)
 * becomes an extra grouping column, whose bounds are flattened into `window_start` / `window_end`.
 */
export function aggregateTransform(options: {
  groupBy: string[];
  aggregations: Record<string, { function: string; column?: string }>;
  window?: TimeWindow;
}): string[] {
  const { groupBy, window } = options;
  const keys = [
    ...(window ? [windowColumn(window)] : []),
    ...groupBy.map(pyCol),
  ];
  const aggs = Object.entries(options.aggregations).map(
    ([alias, { function: fn, column }]) => {
      const f = AGGREGATES[fn];
      if (!f) {
        throw new Error(
          `Unsupported aggregate function "${fn}" (supported: ${Object.keys(
            AGGREGATES,
          ).join(', ')})`,
        );
      }
      const arg = column === undefined ? 'F.lit(1)' : pyCol(column);
      return `${f}(${arg}).alias(${pyStr(alias)})`;
    },
  );
  const lines = [
    'df = df.groupBy(',
    ...keys.map(k => `    ${k},`),
    ').agg(',
    ...aggs.map(a => `    ${a},`),
    ')',
  ];
  if (window) {
    lines.push(
      'df = df.select(',
      '    F.col("window.start").alias("window_start"),',
      '    F.col("window.end").alias("window_end"),',
      '    *[c for c in df.columns if c != "window"],',
      ')',
    );
  }
  return lines;
}

/** Event-time watermark for streaming state (windows, dedupe): rows later than `delay` are dropped. */
export function watermarkTransform(column: string, delay: string): string[] {
  return [
    `df = df.withWatermark(${pyStr(sparkColumnRef(column))}, ${interval(
      delay,
    )})`,
  ];
}

/**
 * Deduplication on key columns. With `orderBy` (batch only), the first row by that order is kept per key; in
 * streams, duplicates are dropped within the watermark.
 */
export function dedupeTransform(options: {
  columns: string[];
  orderBy?: Array<{ column: string; descending: boolean }>;
  streaming: boolean;
  hasWatermark: boolean;
}): string[] {
  const keys = pyLiteral(options.columns.map(sparkColumnRef));
  if (options.streaming) {
    return [
      options.hasWatermark
        ? `df = df.dropDuplicatesWithinWatermark(${keys})`
        : `df = df.dropDuplicates(${keys})`,
    ];
  }
  if (!options.orderBy || options.orderBy.length === 0) {
    return [`df = df.dropDuplicates(${keys})`];
  }
  const order = options.orderBy
    .map(
      o => `${pyCol(o.column)}.${o.descending ? 'desc' : 'asc'}_nulls_last()`,
    )
    .join(', ');
  return [
    `_dedupe_window = Window.partitionBy(${options.columns
      .map(pyCol)
      .join(', ')}).orderBy(${order})`,
    'df = df.withColumn("_row_number", F.row_number().over(_dedupe_window)).filter("_row_number = 1").drop("_row_number")',
  ];
}

/**
 * Join with a dataset already read into `right` (see sources.ts), on pairs of key columns. Keys with the same
 * name on both sides join `using` them, so the result has one column per key.
 */
export function joinTransform(options: {
  right: string;
  keys: Array<{ left: string; right: string }>;
  how: 'inner' | 'left' | 'right' | 'full';
}): string[] {
  const { right, keys, how } = options;
  if (keys.every(k => k.left === k.right)) {
    return [
      `df = df.join(${right}, on=${pyLiteral(
        keys.map(k => k.left),
      )}, how=${pyStr(how)})`,
    ];
  }
  const on = keys
    .map(k => `(df[${pyStr(k.left)}] == ${right}[${pyStr(k.right)}])`)
    .join(' & ');
  return [`df = df.join(${right}, on=${on}, how=${pyStr(how)})`];
}

/** The spec's masking methods. */
export type MaskMethod = 'hash' | 'redact' | 'partial';

function maskExpression(
  column: string,
  method: MaskMethod,
  visible: number,
): string {
  const col = pyCol(column);
  switch (method) {
    case 'hash':
      return `F.sha2(${col}.cast("string"), 256)`;
    case 'redact':
      return `F.when(${col}.isNotNull(), F.lit("[REDACTED]"))`;
    case 'partial':
      // Every character followed by at least `visible` more becomes *, so the last `visible` stay readable.
      return `F.regexp_replace(${col}.cast("string"), ${pyStr(
        `(?s).(?=.{${visible}})`,
      )}, "*")`;
    default:
      throw new Error(`Unsupported mask method "${method as string}"`);
  }
}

export function maskTransform(options: {
  columns: string[];
  method: MaskMethod;
  visibleCharacters?: number;
}): string[] {
  return options.columns.map(
    column =>
      `df = df.withColumn(${pyStr(column)}, ${maskExpression(
        column,
        options.method,
        options.visibleCharacters ?? 4,
      )})`,
  );
}
