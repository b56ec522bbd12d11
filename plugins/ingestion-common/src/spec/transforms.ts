import { z } from 'zod';
import {
  columnMap,
  dataTypeName,
  duration,
  expression,
  identifier,
  identifierList,
  parseDurationSeconds,
} from './fields';
import { joinDatasetSchema } from './sources';

/*
 * Transforms run in the order listed; each takes the rows the previous one produced.
 */

export const filterTransformSchema = z.strictObject({
  type: z.literal('filter'),
  condition: expression({ condition: true }).describe(
    "Rows for which the condition is true are kept, e.g. amount > 0 AND status IN ('paid', 'shipped')",
  ),
});

export const selectTransformSchema = z.strictObject({
  type: z.literal('select'),
  columns: identifierList('column'),
});

export const renameTransformSchema = z.strictObject({
  type: z.literal('rename'),
  columns: columnMap(identifier('column'))
    .describe('old name: new name')
    .superRefine((renames, ctx) => {
      const targets = Object.values(renames);
      Object.entries(renames).forEach(([from, to], index) => {
        if (targets.indexOf(to) !== index) {
          ctx.addIssue({
            code: 'custom',
            path: [from],
            message: `two columns are renamed to \`${to}\``,
          });
        }
      });
    }),
});

export const castTransformSchema = z.strictObject({
  type: z.literal('cast'),
  columns: columnMap(dataTypeName).describe(
    'column: type, e.g. amount: decimal(18, 2)',
  ),
});

export const deriveTransformSchema = z.strictObject({
  type: z.literal('derive'),
  column: identifier('column').describe('The new (or replaced) column'),
  expression: expression({ condition: false }),
});

/**
 * Aggregate functions. `count` counts rows, or the non-NULL values of a column when one is named;
 * `count_distinct` counts distinct values of a column.
 * @public
 */
export const AGGREGATE_FUNCTIONS = [
  'sum',
  'count',
  'avg',
  'min',
  'max',
  'count_distinct',
] as const;

/** One aggregation after normalisation: `function` over `column`, or a row count. @public */
export interface Aggregation {
  function: (typeof AGGREGATE_FUNCTIONS)[number];
  /** Absent only for `count`, which then counts rows. */
  column?: string;
}

const aggregateFunction = z.enum(AGGREGATE_FUNCTIONS);

const aggregationSchema = z.union(
  [
    aggregateFunction,
    z
      .strictObject({
        function: aggregateFunction,
        column: identifier('column').optional(),
      })
      .superRefine((aggregation, ctx) => {
        if (aggregation.function !== 'count' && !aggregation.column) {
          ctx.addIssue({
            code: 'custom',
            path: ['column'],
            message: `\`${aggregation.function}\` needs the column it aggregates`,
          });
        }
      }),
  ],
  {
    error: `write an aggregate function (${AGGREGATE_FUNCTIONS.join(
      ', ',
    )}) or {function, column}`,
  },
);

/**
 * The seed's short form `{output: function}` aggregates the column of the same name and keeps
 * that name (`amount: sum` is `sum(amount) AS amount`), except `count`, which counts rows
 * (`count: count` is `count(*) AS count`): counting the non-NULL values of a column is
 * rarely what is meant. The long form `{output: {function, column}}` says it explicitly;
 * the validated spec always holds the long form, so consumers never re-interpret.
 */
function normalizeAggregations(
  aggregations: Record<string, z.output<typeof aggregationSchema>>,
): Record<string, Aggregation> {
  return Object.fromEntries(
    Object.entries(aggregations).map(([output, aggregation]) => {
      if (typeof aggregation !== 'string') {
        return [output, aggregation];
      }
      return [
        output,
        aggregation === 'count'
          ? { function: aggregation }
          : { function: aggregation, column: output },
      ];
    }),
  );
}

export const aggregateTransformSchema = z.strictObject({
  type: z.literal('aggregate'),
  group_by: identifierList('column', { allowEmpty: true })
    .default([])
    .describe('Grouping columns; empty aggregates all rows into one'),
  aggregations: columnMap(aggregationSchema)
    .transform(normalizeAggregations)
    .describe(
      'output column: function (over the column of that name; count counts rows) or {function, column}',
    ),
});

/**
 * Defines time windows for the aggregate that must follow it: the aggregate groups by the
 * window too and outputs `window_start` and `window_end`. For `session` windows, `duration`
 * is the gap of inactivity that closes a session.
 */
export const windowTransformSchema = z
  .strictObject({
    type: z.literal('window'),
    window_type: z.enum(['tumbling', 'sliding', 'session']),
    duration,
    slide: duration
      .optional()
      .describe('sliding windows: how often a window starts'),
    time_column: identifier('column')
      .default('timestamp')
      .describe(
        'Event time column (default timestamp, the record timestamp of a Kafka source)',
      ),
    watermark: duration
      .optional()
      .describe(
        'streaming: how late events may arrive before their window is final',
      ),
  })
  .superRefine((window, ctx) => {
    if (window.window_type === 'sliding' && !window.slide) {
      ctx.addIssue({
        code: 'custom',
        path: ['slide'],
        message: 'a sliding window needs `slide`, e.g. "1 minute"',
      });
    }
    if (window.window_type !== 'sliding' && window.slide) {
      ctx.addIssue({
        code: 'custom',
        path: ['slide'],
        message: `\`slide\` only applies to sliding windows, not ${window.window_type} ones`,
      });
    }
    const slideSeconds = parseDurationSeconds(window.slide ?? '');
    const durationSeconds = parseDurationSeconds(window.duration) ?? 0;
    if (slideSeconds !== undefined && slideSeconds > durationSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['slide'],
        message: '`slide` may not be longer than `duration`',
      });
    }
    if (durationSeconds === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['duration'],
        message: 'the duration must be longer than 0',
      });
    }
  });

export const dedupeTransformSchema = z.strictObject({
  type: z.literal('dedupe'),
  keys: identifierList('column').describe(
    'Rows with equal keys are duplicates; one of them is kept',
  ),
  order_by: z
    .array(
      z.strictObject({
        column: identifier('column'),
        direction: z.enum(['asc', 'desc']).default('desc'),
      }),
    )
    .max(100)
    .optional()
    .describe(
      'The first row in this order is kept (direction defaults to desc, so the latest wins); any row when absent',
    ),
});

const joinKeySchema = z
  .union(
    [
      identifier('column'),
      z.strictObject({
        left: identifier('column'),
        right: identifier('column'),
      }),
    ],
    { error: 'write a column name, or {left, right} when the names differ' },
  )
  .transform(key =>
    typeof key === 'string' ? { left: key, right: key } : key,
  );

export const joinTransformSchema = z.strictObject({
  type: z.literal('join'),
  dataset: joinDatasetSchema.describe(
    'The dataset joined in, written like a source',
  ),
  keys: z
    .array(joinKeySchema)
    .min(1, 'list at least one join key')
    .max(100)
    .describe(
      'Columns to match on; the validated spec holds {left, right} pairs',
    ),
  join_type: z.enum(['inner', 'left', 'right', 'full']).default('inner'),
});

export const maskTransformSchema = z
  .strictObject({
    type: z.literal('mask'),
    columns: identifierList('column'),
    method: z
      .enum(['hash', 'redact', 'partial'])
      .default('hash')
      .describe(
        'hash: SHA-256 hex digest; redact: the text [REDACTED]; partial: keep the last characters, mask the rest with *',
      ),
    visible_characters: z
      .int()
      .min(1)
      .max(16)
      .optional()
      .describe(
        'partial: how many trailing characters stay visible (default 4)',
      ),
  })
  .superRefine((mask, ctx) => {
    if (mask.method !== 'partial' && mask.visible_characters !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['visible_characters'],
        message: '`visible_characters` only applies to method partial',
      });
    }
  });

export const transformSchema = z.discriminatedUnion('type', [
  filterTransformSchema,
  selectTransformSchema,
  renameTransformSchema,
  castTransformSchema,
  deriveTransformSchema,
  aggregateTransformSchema,
  windowTransformSchema,
  dedupeTransformSchema,
  joinTransformSchema,
  maskTransformSchema,
]);
