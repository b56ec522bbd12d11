/**
 * Maps a validated pipeline spec onto the emitters: which reader, which transforms in which order, which rules
 * and which writer, and how the notebook is driven (batch or streaming).
 */
import type {
  PipelineSpec,
  SourceSpec,
  TargetSpec,
  TransformSpec,
  WindowTransform,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { secretScopeName } from '../secrets';
import type { CodegenOrganization, CodegenPipeline } from '../types';
import { assembleNotebook, Step } from './assemble';
import { sparkDataType, toSparkSql } from './expression';
import { qualityRule, ruleLabel } from './quality';
import {
  fileSource,
  httpSource,
  incrementalFilter,
  jdbcSource,
  kafkaSource,
  streamingFileSource,
  tableSource,
} from './sources';
import { TargetPlan, targetWriter } from './targets';
import {
  aggregateTransform,
  castTransform,
  dedupeTransform,
  deriveTransform,
  filterTransform,
  joinTransform,
  maskTransform,
  renameTransform,
  selectTransform,
  TimeWindow,
  watermarkTransform,
} from './transforms';

export interface NotebookInput {
  spec: PipelineSpec;
  organization: CodegenOrganization;
  pipeline: CodegenPipeline;
}

/**
 * Resolves a spec storage path: `s3://` URIs as they are, relative paths under the organization's storage root
 * (the spec schema already rejects absolute paths and `..`).
 */
function storageUri(organization: CodegenOrganization, path: string): string {
  if (path.startsWith('s3://')) {
    return path;
  }
  if (!organization.storage) {
    throw new Error(
      `Path "${path}" is relative to the organization's storage, but organization "${organization.id}" has none configured`,
    );
  }
  return `${organization.storage.replace(/\/+$/, '')}/${path}`;
}

/** Where a streaming pipeline keeps its checkpoint: the target's `checkpoint`, or one per pipeline. */
function checkpointUri(input: NotebookInput): string {
  const { spec, organization, pipeline } = input;
  const checkpoint =
    'checkpoint' in spec.target ? spec.target.checkpoint : undefined;
  return storageUri(organization, checkpoint ?? `_checkpoints/${pipeline.id}`);
}

/** Lines reading a source-like dataset into the variable `into`. */
function readDataset(
  input: NotebookInput,
  dataset: SourceSpec,
  into: string,
): { label: string; lines: string[] } {
  const { organization } = input;
  const scope = (connection?: string) =>
    connection ? secretScopeName(organization.id, connection) : undefined;
  const streaming = input.spec.pipeline_type === 'streaming';
  switch (dataset.type) {
    case 'mysql':
    case 'mariadb':
    case 'postgres':
      return {
        label: `${dataset.type} table ${[dataset.schema, dataset.table]
          .filter(Boolean)
          .join('.')} (connection ${dataset.connection})`,
        lines: jdbcSource({
          into,
          dialect: dataset.type,
          scope: scope(dataset.connection)!,
          table: [...(dataset.schema ? [dataset.schema] : []), dataset.table],
        }),
      };
    case 'file': {
      const uri = storageUri(organization, dataset.path);
      const readerOptions: Record<string, string> =
        dataset.format === 'csv'
          ? {
              header: String(dataset.header ?? true),
              ...(dataset.delimiter ? { sep: dataset.delimiter } : {}),
            }
          : {};
      if (streaming && into === 'source_df') {
        const columns = dataset.columns;
        return {
          label: `${dataset.format} files arriving in ${uri} (Auto Loader)`,
          lines: streamingFileSource({
            format: dataset.format,
            uri,
            readerOptions,
            scope: scope(dataset.connection),
            columns:
              columns &&
              Object.fromEntries(
                Object.entries(columns).map(([name, type]) => [
                  name,
                  sparkDataType(type),
                ]),
              ),
            maxFilesPerTrigger: dataset.max_files_per_trigger,
            schemaLocation: checkpointUri(input),
          }),
        };
      }
      return {
        label: `${dataset.format} files ${uri}`,
        lines: fileSource({
          into,
          format: dataset.format,
          uri,
          readerOptions,
          scope: scope(dataset.connection),
        }),
      };
    }
    case 'kafka':
      if (into !== 'source_df') {
        throw new Error('Kafka topics can only be the pipeline source');
      }
      return {
        label: `Kafka topic ${dataset.topic}`,
        lines: kafkaSource({
          streaming,
          bootstrapServers: dataset.bootstrap_servers,
          topic: dataset.topic,
          startingOffsets: dataset.starting_offsets,
          consumerGroup: dataset.consumer_group,
          scope: scope(dataset.connection),
          format: dataset.format,
        }),
      };
    case 'http':
      return {
        label: `HTTP API ${dataset.url}`,
        lines: httpSource({
          into,
          url: dataset.url,
          params: dataset.params ?? {},
          scope: scope(dataset.connection),
          recordsPath: dataset.records_path,
          pagination: dataset.pagination,
          maxPages: dataset.max_pages,
        }),
      };
    case 'iceberg':
      return {
        label: `Iceberg table ${dataset.catalog}.${dataset.schema}.${dataset.table}`,
        lines: tableSource({
          into,
          table: [dataset.catalog, dataset.schema, dataset.table],
          // Joined tables are static lookups even in streaming pipelines.
          streaming: streaming && into === 'source_df',
        }),
      };
    default:
      throw new Error(
        `Unsupported source type ${(dataset as { type: string }).type}`,
      );
  }
}

function sourceStep(input: NotebookInput): { step: Step; cursor?: string } {
  const { source } = input.spec;
  const { label, lines } = readDataset(input, source, 'source_df');
  const cursor =
    'incremental_column' in source ? source.incremental_column : undefined;
  return {
    step: {
      label: `Source: ${label}${cursor ? `, incremental on ${cursor}` : ''}`,
      lines: cursor
        ? [
            ...lines,
            '',
            // Batch runs the job's own schedule starts continue from the target (streams keep checkpoints).
            ...incrementalFilter(
              cursor,
              input.spec.pipeline_type === 'streaming'
                ? undefined
                : targetPlan(input, input.spec.target).plan,
            ),
          ]
        : lines,
    },
    cursor,
  };
}

function timeWindow(window: WindowTransform): TimeWindow {
  switch (window.window_type) {
    case 'tumbling':
      return {
        type: 'tumbling',
        column: window.time_column,
        duration: window.duration,
      };
    case 'sliding':
      return {
        type: 'sliding',
        column: window.time_column,
        duration: window.duration,
        slide: window.slide!,
      };
    default:
      return {
        type: 'session',
        column: window.time_column,
        gap: window.duration,
      };
  }
}

/** The transform steps, in spec order; a window is applied by the aggregate that follows it. */
function transformSteps(input: NotebookInput): Step[] {
  const streaming = input.spec.pipeline_type === 'streaming';
  const steps: Step[] = [];
  let window: WindowTransform | undefined;
  let hasWatermark = false;
  input.spec.transformations.forEach((transform: TransformSpec, index) => {
    const where = `transformations[${index}]`;
    const label = `${index + 1}. ${transform.type}`;
    switch (transform.type) {
      case 'filter':
        steps.push({
          label,
          lines: filterTransform(
            toSparkSql(transform.condition, { condition: true, where }),
          ),
        });
        break;
      case 'select':
        steps.push({ label, lines: selectTransform(transform.columns) });
        break;
      case 'rename':
        steps.push({ label, lines: renameTransform(transform.columns) });
        break;
      case 'cast':
        steps.push({ label, lines: castTransform(transform.columns) });
        break;
      case 'derive':
        steps.push({
          label,
          lines: deriveTransform(
            transform.column,
            toSparkSql(transform.expression, { where }),
          ),
        });
        break;
      case 'window':
        // Emitted with the aggregate that must follow it (the spec schema enforces that).
        window = transform;
        break;
      case 'aggregate': {
        const lines: string[] = [];
        if (window?.watermark) {
          lines.push(
            ...watermarkTransform(window.time_column, window.watermark),
          );
          hasWatermark = true;
        }
        lines.push(
          ...aggregateTransform({
            groupBy: transform.group_by,
            aggregations: transform.aggregations,
            window: window && timeWindow(window),
          }),
        );
        steps.push({
          label: window
            ? `${index}-${index + 1}. ${
                window.window_type
              } window and aggregate`
            : label,
          lines,
        });
        window = undefined;
        break;
      }
      case 'dedupe':
        steps.push({
          label,
          lines: dedupeTransform({
            columns: transform.keys,
            orderBy: transform.order_by?.map(o => ({
              column: o.column,
              descending: o.direction === 'desc',
            })),
            streaming,
            hasWatermark,
          }),
        });
        break;
      case 'join': {
        const right = `join_df_${index + 1}`;
        const dataset = readDataset(input, transform.dataset, right);
        steps.push({
          label: `${label} with ${dataset.label}`,
          lines: [
            ...dataset.lines,
            ...joinTransform({
              right,
              keys: transform.keys,
              how: transform.join_type,
            }),
          ],
        });
        break;
      }
      case 'mask':
        steps.push({
          label: `${label} (${transform.method})`,
          lines: maskTransform({
            columns: transform.columns,
            method: transform.method,
            visibleCharacters: transform.visible_characters,
          }),
        });
        break;
      default:
        throw new Error(
          `Unsupported transform ${(transform as { type: string }).type}`,
        );
    }
  });
  return steps;
}

function targetPlan(
  input: NotebookInput,
  target: TargetSpec,
): { plan: TargetPlan; label: string } {
  switch (target.type) {
    case 'iceberg':
      return {
        label: `Iceberg table ${target.catalog}.${target.schema}.${target.table} (${target.mode})`,
        plan: {
          format: 'iceberg',
          table: [target.catalog, target.schema, target.table],
          mode: target.mode,
          mergeKeys: target.merge_keys ?? [],
          partitioning: target.partitioning ?? [],
        },
      };
    case 'delta': {
      const path = storageUri(input.organization, target.path);
      return {
        label: `Delta table at ${path} (${target.mode})`,
        plan: {
          format: 'delta',
          path,
          mode: target.mode,
          mergeKeys: target.merge_keys ?? [],
          partitionBy: target.partition_by ?? [],
        },
      };
    }
    case 'parquet': {
      const path = storageUri(input.organization, target.path);
      return {
        label: `Parquet files at ${path} (${target.mode})`,
        plan: {
          format: 'parquet',
          path,
          mode: target.mode,
          partitionBy: target.partition_by ?? [],
        },
      };
    }
    default:
      throw new Error(
        `Unsupported target type ${(target as { type: string }).type}`,
      );
  }
}

/** The notebook (Databricks source format) for a validated spec. */
export function generateNotebook(input: NotebookInput): string {
  const { spec, organization, pipeline } = input;
  const streaming = spec.pipeline_type === 'streaming';
  const { step: source, cursor } = sourceStep(input);
  const target = targetPlan(input, spec.target);
  return assembleNotebook({
    title: pipeline.name,
    description: pipeline.description,
    facts: [
      ['Organization', `${organization.name} (${organization.id})`],
      ['Pipeline', `${pipeline.id}, version ${pipeline.version}`],
      ['Owner', pipeline.owner],
      ['Type', spec.pipeline_type],
      ...(spec.schedule
        ? [
            [
              'Schedule',
              `${spec.schedule.cron} (${spec.schedule.timezone})`,
            ] as [string, string],
          ]
        : []),
    ],
    identity: {
      organization: organization.id,
      pipeline_id: pipeline.id,
      pipeline_version: String(pipeline.version),
    },
    source,
    cursor: streaming ? undefined : cursor,
    transforms: transformSteps(input),
    quality: spec.data_quality.map(rule => ({
      label: `Quality: ${ruleLabel(rule)} (${rule.severity})`,
      lines: qualityRule(rule),
    })),
    target: {
      label: `Target: ${target.label}`,
      lines: targetWriter(target.plan, { streaming, appId: pipeline.id }),
    },
    commitGuard: !streaming && target.plan.format === 'delta',
    streaming: streaming
      ? {
          outputMode:
            ('output_mode' in spec.target && spec.target.output_mode) ||
            'append',
          checkpointLocation: checkpointUri(input),
          availableNow: spec.schedule !== undefined,
          processingTime: spec.trigger?.interval,
        }
      : undefined,
  });
}
