import { z } from 'zod';
import {
  cronExpression,
  duration,
  parseDurationSeconds,
  timeZone,
} from './fields';
import { qualityRuleSchema } from './quality';
import {
  fileSourceSchema,
  httpSourceSchema,
  icebergSourceSchema,
  kafkaSourceSchema,
  mariadbSourceSchema,
  mysqlSourceSchema,
  postgresSourceSchema,
  sourceSchema,
} from './sources';
import {
  deltaTargetSchema,
  icebergTargetSchema,
  parquetTargetSchema,
  targetSchema,
} from './targets';
import {
  aggregateTransformSchema,
  castTransformSchema,
  dedupeTransformSchema,
  deriveTransformSchema,
  filterTransformSchema,
  joinTransformSchema,
  maskTransformSchema,
  renameTransformSchema,
  selectTransformSchema,
  transformSchema,
  windowTransformSchema,
} from './transforms';

/**
 * The version of the pipeline spec this release reads and writes. A spec without `version`
 * is read as this version; a spec naming another version is rejected, so that a future
 * format change can never be misread as this one.
 * @public
 */
export const SPEC_VERSION = 1;

/**
 * Source types a streaming pipeline can read continuously: a Kafka topic, or files appearing in a
 * folder (each micro-batch reads the files that arrived since the previous one).
 */
const STREAMING_SOURCES = ['kafka', 'file'];
/** File source options that only a stream uses. */
const STREAMING_FILE_OPTIONS = ['columns', 'max_files_per_trigger'];
/** Target types a streaming pipeline can write. */
const STREAMING_TARGETS = ['delta', 'iceberg'];

const scheduleSchema = z
  .union(
    [
      cronExpression,
      z.strictObject({
        cron: cronExpression,
        timezone: timeZone.default('UTC'),
      }),
    ],
    {
      error:
        'schedule must be a cron expression such as "0 2 * * *", or {cron, timezone}',
    },
  )
  .transform(schedule =>
    typeof schedule === 'string'
      ? { cron: schedule, timezone: 'UTC' }
      : schedule,
  )
  .describe(
    '5-field cron expression (minute hour day-of-month month day-of-week), in UTC unless given as {cron, timezone}',
  );

const triggerSchema = z
  .strictObject({
    interval: duration
      .refine(
        text => (parseDurationSeconds(text) ?? 0) > 0,
        'the interval must be at least 1 second',
      )
      .describe(
        'How often a micro-batch starts, e.g. "30 seconds"; a batch that takes longer is followed at once by the next',
      ),
  })
  .describe(
    'streaming only: when micro-batches run. Without it Databricks starts each one as soon as the previous ends and the local engine looks for new files every 10 seconds',
  );

type Issue = Parameters<z.RefinementCtx['addIssue']>[0];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Rules across sections. They run even when other parts of the spec are invalid (so every
 * problem is reported at once) and therefore read the value defensively.
 */
function crossSectionProblems(spec: unknown): Issue[] {
  if (!isRecord(spec)) {
    return [];
  }
  const problems: Issue[] = [];
  const source = isRecord(spec.source) ? spec.source : {};
  const target = isRecord(spec.target) ? spec.target : {};
  const transformations = Array.isArray(spec.transformations)
    ? spec.transformations
    : [];
  const streaming = spec.pipeline_type === 'streaming';

  if (
    streaming &&
    typeof source.type === 'string' &&
    !STREAMING_SOURCES.includes(source.type)
  ) {
    problems.push({
      code: 'custom',
      path: ['source', 'type'],
      message: `a streaming pipeline reads a stream: the source must be kafka (a topic) or file (files arriving in a folder), not ${source.type} (use pipeline_type batch for ${source.type})`,
    });
  }
  if (!streaming && source.type === 'file') {
    STREAMING_FILE_OPTIONS.filter(key => source[key] !== undefined).forEach(
      key =>
        problems.push({
          code: 'custom',
          path: ['source', key],
          message: `\`${key}\` only applies to streaming pipelines`,
        }),
    );
  }
  if (!streaming && spec.trigger !== undefined) {
    problems.push({
      code: 'custom',
      path: ['trigger'],
      message:
        '`trigger` only applies to streaming pipelines: a batch pipeline runs on its `schedule`',
    });
  }
  if (streaming && spec.trigger !== undefined && spec.schedule !== undefined) {
    problems.push({
      code: 'custom',
      path: ['trigger'],
      message:
        'a scheduled streaming pipeline processes what has arrived and stops at each scheduled time; remove `trigger` to keep the schedule, or `schedule` to run continuously',
    });
  }
  if (
    streaming &&
    typeof target.type === 'string' &&
    !STREAMING_TARGETS.includes(target.type)
  ) {
    problems.push({
      code: 'custom',
      path: ['target', 'type'],
      message: `a streaming pipeline writes to ${STREAMING_TARGETS.join(
        ' or ',
      )}, not ${target.type}`,
    });
  }
  if (!streaming && target.output_mode !== undefined) {
    problems.push({
      code: 'custom',
      path: ['target', 'output_mode'],
      message: '`output_mode` only applies to streaming pipelines',
    });
  }
  if (!streaming && target.checkpoint !== undefined) {
    problems.push({
      code: 'custom',
      path: ['target', 'checkpoint'],
      message: '`checkpoint` only applies to streaming pipelines',
    });
  }
  transformations.forEach((transform, index) => {
    const next = transformations[index + 1];
    if (
      isRecord(transform) &&
      transform.type === 'window' &&
      !(isRecord(next) && next.type === 'aggregate')
    ) {
      problems.push({
        code: 'custom',
        path: ['transformations', index],
        message:
          'a window must be directly followed by an aggregate transform, which groups the rows of each window',
      });
    }
  });
  return problems;
}

/**
 * The pipeline spec, version 1: where data comes from, how it is transformed and checked,
 * and where it goes. snake_case keys, as in the architecture guide's examples.
 *
 * Parsing applies defaults and normalises short forms, so the output always has `version`,
 * `transformations` and `data_quality`, schedules as `{cron, timezone}`, aggregations as
 * `{function, column}` and join keys as `{left, right}`. The output is itself a valid input.
 * @public
 */
export const pipelineSpecSchema = z
  .strictObject({
    version: z
      .literal(SPEC_VERSION, {
        error: issue =>
          `unsupported spec version ${JSON.stringify(
            issue.input,
          )}: this release reads version ${SPEC_VERSION}`,
      })
      .default(SPEC_VERSION),
    pipeline_type: z
      .enum(['batch', 'streaming'])
      .describe(
        'batch runs on a schedule or on demand; streaming runs continuously',
      ),
    schedule: scheduleSchema.optional(),
    trigger: triggerSchema.optional(),
    source: sourceSchema,
    transformations: z.array(transformSchema).max(100).default([]),
    target: targetSchema,
    data_quality: z.array(qualityRuleSchema).max(100).default([]),
  })
  .superRefine(
    (spec, ctx) =>
      crossSectionProblems(spec).forEach(issue => ctx.addIssue(issue)),
    { when: () => true },
  )
  .meta({
    title: 'Ingestion pipeline spec',
    description:
      'A data ingestion pipeline: source, transformations, target and data quality rules',
  });

/** A validated pipeline spec, with defaults applied. @public */
export type PipelineSpec = z.output<typeof pipelineSpecSchema>;
/** A pipeline spec as written (before defaults). @public */
export type PipelineSpecInput = z.input<typeof pipelineSpecSchema>;

/** Any source. @public */
export type SourceSpec = z.output<typeof sourceSchema>;
/** @public */
export type MysqlSource = z.output<typeof mysqlSourceSchema>;
/** @public */
export type MariadbSource = z.output<typeof mariadbSourceSchema>;
/** @public */
export type PostgresSource = z.output<typeof postgresSourceSchema>;
/** @public */
export type FileSource = z.output<typeof fileSourceSchema>;
/** @public */
export type KafkaSource = z.output<typeof kafkaSourceSchema>;
/** @public */
export type HttpSource = z.output<typeof httpSourceSchema>;
/** @public */
export type IcebergSource = z.output<typeof icebergSourceSchema>;

/** Any transform. @public */
export type TransformSpec = z.output<typeof transformSchema>;
/** @public */
export type FilterTransform = z.output<typeof filterTransformSchema>;
/** @public */
export type SelectTransform = z.output<typeof selectTransformSchema>;
/** @public */
export type RenameTransform = z.output<typeof renameTransformSchema>;
/** @public */
export type CastTransform = z.output<typeof castTransformSchema>;
/** @public */
export type DeriveTransform = z.output<typeof deriveTransformSchema>;
/** @public */
export type AggregateTransform = z.output<typeof aggregateTransformSchema>;
/** @public */
export type WindowTransform = z.output<typeof windowTransformSchema>;
/** @public */
export type DedupeTransform = z.output<typeof dedupeTransformSchema>;
/** @public */
export type JoinTransform = z.output<typeof joinTransformSchema>;
/** @public */
export type MaskTransform = z.output<typeof maskTransformSchema>;

/** Any target. @public */
export type TargetSpec = z.output<typeof targetSchema>;
/** @public */
export type IcebergTarget = z.output<typeof icebergTargetSchema>;
/** @public */
export type DeltaTarget = z.output<typeof deltaTargetSchema>;
/** @public */
export type ParquetTarget = z.output<typeof parquetTargetSchema>;

/** Any data quality rule. @public */
export type QualityRuleSpec = z.output<typeof qualityRuleSchema>;

/** When a continuous streaming pipeline runs its micro-batches. @public */
export type TriggerSpec = NonNullable<PipelineSpec['trigger']>;

/** A schedule after normalisation. @public */
export type ScheduleSpec = NonNullable<PipelineSpec['schedule']>;
