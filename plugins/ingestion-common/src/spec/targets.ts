import { z } from 'zod';
import { identifier, identifierList, storagePath } from './fields';

/*
 * Targets. `merge` upserts on `merge_keys`: rows whose keys match are updated, the others
 * inserted.
 */

const writeMode = z
  .enum(['append', 'overwrite', 'merge'])
  .default('append')
  .describe(
    'append adds rows; overwrite replaces the data; merge upserts on merge_keys',
  );

/** `merge_keys` is required with mode merge and meaningless otherwise. */
function checkMergeKeys(
  target: { mode: string; merge_keys?: string[] },
  ctx: z.RefinementCtx,
) {
  if (target.mode === 'merge' && !target.merge_keys) {
    ctx.addIssue({
      code: 'custom',
      path: ['merge_keys'],
      message: 'mode merge needs `merge_keys`: the columns that identify a row',
    });
  }
  if (target.mode !== 'merge' && target.merge_keys) {
    ctx.addIssue({
      code: 'custom',
      path: ['merge_keys'],
      message: `\`merge_keys\` only applies to mode merge, not ${target.mode}`,
    });
  }
}

const PARTITION_TRANSFORMS = [
  'identity',
  'year',
  'month',
  'day',
  'hour',
  'bucket',
  'truncate',
] as const;

const partitionFieldSchema = z
  .strictObject({
    column: identifier('column'),
    transform: z.enum(PARTITION_TRANSFORMS).default('identity'),
    width: z
      .int()
      .min(1)
      .max(10000)
      .optional()
      .describe('bucket: number of buckets; truncate: width'),
  })
  .superRefine((field, ctx) => {
    const needsWidth =
      field.transform === 'bucket' || field.transform === 'truncate';
    if (needsWidth && field.width === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['width'],
        message: `the ${field.transform} transform needs \`width\``,
      });
    }
    if (!needsWidth && field.width !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['width'],
        message: `\`width\` only applies to bucket and truncate, not ${field.transform}`,
      });
    }
  });

/** Where a streaming pipeline records its progress, so a restarted stream resumes where it stopped. */
const checkpoint = storagePath({ wildcards: false })
  .optional()
  .describe(
    'streaming only: checkpoint location; the engine picks one under the organization’s storage when absent (_checkpoints/<pipeline id>)',
  );

export const icebergTargetSchema = z
  .strictObject({
    type: z.literal('iceberg'),
    catalog: identifier('catalog'),
    schema: identifier('schema'),
    table: identifier('table'),
    mode: writeMode,
    merge_keys: identifierList('column').optional(),
    partitioning: z
      .array(partitionFieldSchema)
      .max(32)
      .optional()
      .describe(
        'Iceberg partition spec, e.g. [{column: event_time, transform: day}]',
      ),
    checkpoint,
  })
  .superRefine(checkMergeKeys);

export const deltaTargetSchema = z
  .strictObject({
    type: z.literal('delta'),
    path: storagePath({ wildcards: false }),
    mode: writeMode,
    merge_keys: identifierList('column').optional(),
    output_mode: z
      .enum(['append', 'update', 'complete'])
      .optional()
      .describe(
        'streaming only: which rows each micro-batch writes (default append)',
      ),
    checkpoint,
    partition_by: identifierList('column').optional(),
  })
  .superRefine(checkMergeKeys);

export const parquetTargetSchema = z.strictObject({
  type: z.literal('parquet'),
  path: storagePath({ wildcards: false }),
  mode: z.enum(['append', 'overwrite']).default('append'),
  partition_by: identifierList('column').optional(),
});

export const targetSchema = z.discriminatedUnion('type', [
  icebergTargetSchema,
  deltaTargetSchema,
  parquetTargetSchema,
]);
