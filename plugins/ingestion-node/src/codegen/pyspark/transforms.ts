/**
 * Transform emitters: each returns Python lines that rebind `df`. Expressions arrive as {@link SparkSql}, i.e.
 * already parsed and re-rendered by the expression language, never as user text.
 */
import { pyCol, pyLiteral, pyStr, sparkColumnRef } from '../python';
import type { SparkSql } from './expression';
import { sparkType } from './sparkTypes';

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
      `df = df.withColumn(${pyStr(column)}, ${pyCol(column)}.cast(${pyStr(sparkType(type))}))`,
  );
}

export function deriveTransform(columns: Array<{ name: string; expression: SparkSql }>): string[] {
  return columns.map(({ name, expression }) => `df = df.withColumn(${pyStr(name)}, ${expr(expression)})`);
}

/** Aggregate functions specs may name, mapped to `pyspark.sql.functions`. */
const AGGREGATES: Readonly<Record<string, string>> = {
  sum: 'F.sum',
  count: 'F.count',
  count_distinct: 'F.count_distinct',
  avg: 'F.avg',
  mean: 'F.avg',
  min: 'F.min',
  max: 'F.max',
  first: 'F.first',
  last: 'F.last',
  stddev: 'F.stddev',
  variance: 'F.variance',
};

/** Time window grouping: tumbling (`duration`), sliding (`duration` every `slide`) or session (`gap`). */
export type TimeWindow =
  | { type: 'tumbling'; column: string; duration: string }
  | { type: 'sliding'; column: string; duration: string; slide: string }
  | { type: 'session'; column: string; gap: string };

const INTERVAL = /^\d+\s+(microsecond|millisecond|second|minute|hour|day|week)s?$/i;

function interval(text: string): string {
  if (!INTERVAL.test(text.trim())) {
    throw new Error(`Invalid interval "${text}" (expected e.g. "5 minutes")`);
  }
  return pyStr(text.trim());
}

/** The Python grouping column of a time window, aliased `window` like Spark's own output. */
export function windowColumn(window: TimeWindow): string {
  switch (window.type) {
    case 'tumbling':
      return `F.window(${pyCol(window.column)}, ${interval(window.duration)}).alias("window")`;
    case 'sliding':
      return `F.window(${pyCol(window.column)}, ${interval(window.duration)}, ${interval(window.slide)}).alias("window")`;
    case 'session':
      return `F.session_window(${pyCol(window.column)}, ${interval(window.gap)}).alias("window")`;
    default:
      throw new Error(`Unsupported window ${(window as { type: string }).type}`);
  }
}

/**
 * Group-by aggregation. `count` over `*` counts rows; a time window (from a preceding window transform) becomes
 * an extra grouping column, whose bounds are flattened into `window_start` / `window_end`.
 */
export function aggregateTransform(options: {
  groupBy: string[];
  aggregations: Array<{ alias: string; fn: string; column: string }>;
  window?: TimeWindow;
}): string[] {
  const { groupBy, aggregations, window } = options;
  const keys = [...(window ? [windowColumn(window)] : []), ...groupBy.map(pyCol)];
  const aggs = aggregations.map(({ alias, fn, column }) => {
    const f = AGGREGATES[fn.toLowerCase()];
    if (!f) {
      throw new Error(`Unsupported aggregate function "${fn}" (supported: ${Object.keys(AGGREGATES).join(', ')})`);
    }
    const arg = column === '*' ? 'F.lit(1)' : pyCol(column);
    return `${f}(${arg}).alias(${pyStr(alias)})`;
  });
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
  return [`df = df.withWatermark(${pyStr(sparkColumnRef(column))}, ${interval(delay)})`];
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
    .map(o => `${pyCol(o.column)}.${o.descending ? 'desc' : 'asc'}_nulls_last()`)
    .join(', ');
  return [
    `_dedupe_window = Window.partitionBy(${options.columns.map(pyCol).join(', ')}).orderBy(${order})`,
    'df = df.withColumn("_row_number", F.row_number().over(_dedupe_window)).filter("_row_number = 1").drop("_row_number")',
  ];
}

/**
 * Join with a catalog table, on equally named key columns (`using`) or an expression over `left` and `right`.
 */
export function joinTransform(options: {
  table: string;
  how: 'inner' | 'left' | 'right' | 'full' | 'left_semi' | 'left_anti';
  using?: string[];
  on?: SparkSql;
  select?: string[];
}): string[] {
  const right = options.select
    ? `spark.read.table(${pyStr(options.table)}).select(${options.select.map(pyCol).join(', ')})`
    : `spark.read.table(${pyStr(options.table)})`;
  if (options.using) {
    return [`df = df.join(${right}, on=${pyLiteral(options.using)}, how=${pyStr(options.how)})`];
  }
  if (!options.on) {
    throw new Error('A join needs key columns or a condition');
  }
  return [
    `df = df.alias("left").join(${right}.alias("right"), on=${expr(options.on)}, how=${pyStr(options.how)})`,
  ];
}

/** Masking methods for sensitive columns. */
export type MaskMethod = 'hash' | 'redact' | 'partial' | 'null' | 'email';

function maskExpression(column: string, method: MaskMethod): string {
  const col = pyCol(column);
  switch (method) {
    case 'hash':
      return `F.sha2(${col}.cast("string"), 256)`;
    case 'redact':
      return `F.when(${col}.isNotNull(), F.lit("****"))`;
    case 'partial':
      // Keeps the last four characters, as on a card receipt.
      return `F.when(${col}.isNotNull(), F.concat(F.lit("****"), F.substring(${col}.cast("string"), -4, 4)))`;
    case 'email':
      return `F.regexp_replace(${col}.cast("string"), "^[^@]+", "****")`;
    case 'null':
      return `F.lit(None).cast(df.schema[${pyStr(column)}].dataType)`;
    default:
      throw new Error(`Unsupported mask method "${method as string}"`);
  }
}

export function maskTransform(columns: Array<{ column: string; method: MaskMethod }>): string[] {
  return columns.map(
    ({ column, method }) => `df = df.withColumn(${pyStr(column)}, ${maskExpression(column, method)})`,
  );
}
