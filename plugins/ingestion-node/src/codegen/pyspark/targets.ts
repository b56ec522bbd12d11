/**
 * Target writers: a `write_target(out_df, batch_id=None)` function shared by batch runs (called once) and
 * streaming runs (called per micro-batch from `foreachBatch`), plus the statements that drive it.
 */
import { pyStr, quoteSparkIdentifier, sparkTableName } from '../python';
import { indent } from '../notebook';
import { COMMIT_PROPERTIES } from './runtime';

export type WriteMode = 'append' | 'overwrite' | 'merge';

/** An Iceberg partition field, as in the spec. */
export interface PartitionField {
  column: string;
  transform:
    | 'identity'
    | 'year'
    | 'month'
    | 'day'
    | 'hour'
    | 'bucket'
    | 'truncate';
  width?: number;
}

export type TargetPlan =
  | {
      format: 'iceberg';
      table: string[];
      mode: WriteMode;
      mergeKeys: string[];
      partitioning: PartitionField[];
    }
  | {
      format: 'delta';
      path: string;
      mode: WriteMode;
      mergeKeys: string[];
      partitionBy: string[];
    }
  | {
      format: 'parquet';
      path: string;
      mode: 'append' | 'overwrite';
      partitionBy: string[];
    };

/** `MERGE INTO` from the `_ingestion_updates` view; identifiers are backtick-quoted, so keys are names. */
function mergeSql(targetName: string, keys: string[]): string {
  if (keys.length === 0) {
    throw new Error('Merge writes need at least one key column');
  }
  const on = keys
    .map(k => `t.${quoteSparkIdentifier(k)} = s.${quoteSparkIdentifier(k)}`)
    .join(' AND ');
  return `MERGE INTO ${targetName} AS t USING _ingestion_updates AS s ON ${on} WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *`;
}

/**
 * What each write records with its commit (see COMMIT_PROPERTIES). The batch driver sets SUMMARY["watermark"]
 * to the new high-water mark before it writes.
 */
const COMMIT_HELPERS = [
  '',
  '',
  'def commit_properties():',
  '    """The run and, for incremental loads, the new high-water mark (the run id first: see committed_by_this_run)."""',
  `    properties = {${pyStr(COMMIT_PROPERTIES.runId)}: RUN_ID}`,
  '    if SUMMARY.get("watermark") is not None:',
  `        properties[${pyStr(
    COMMIT_PROPERTIES.watermark,
  )}] = str(SUMMARY["watermark"])`,
  '    return properties',
  '',
  '',
  'def with_session_conf(session, settings, action):',
  '    """Runs a SQL write (CREATE ... AS SELECT, MERGE), which takes its commit properties from session settings."""',
  '    for key, value in settings.items():',
  '        session.conf.set(key, value)',
  '    try:',
  '        action()',
  '    finally:',
  '        for key in settings:',
  '            session.conf.unset(key)',
  '',
  '',
];

/** Runs `sql` (a constant's name) through the DataFrame's own session (foreachBatch runs in a separate one). */
function sqlWrite(sql: string, settings: string): string[] {
  return [
    'out_df.createOrReplaceTempView("_ingestion_updates")',
    `with_session_conf(out_df.sparkSession, ${settings}, lambda: out_df.sparkSession.sql(${sql}))`,
  ];
}

/** The Parquet marker file that holds the last incremental write's commit properties, next to the data. */
export function watermarkMarkerPath(path: string): string {
  // A leading underscore keeps Spark's Parquet reader from taking it for data.
  return `${path.replace(/\/+$/, '')}/_watermark`;
}

/** Iceberg partition transforms in Spark SQL (`days(ts)`, `bucket(16, id)`), identifiers quoted. */
function partitionSql(fields: PartitionField[]): string {
  return fields
    .map(({ column, transform, width }) => {
      const col = quoteSparkIdentifier(column);
      switch (transform) {
        case 'identity':
          return col;
        case 'bucket':
        case 'truncate':
          if (!Number.isInteger(width)) {
            throw new Error(
              `The ${transform} partition transform of ${column} needs an integer width`,
            );
          }
          return `${transform}(${width}, ${col})`;
        default:
          return `${transform}s(${col})`;
      }
    })
    .join(', ');
}

/** `writer.partitionBy("a", "b")` for Delta and Parquet, when partitioned. */
function partitionBy(columns: string[]): string[] {
  return columns.length > 0
    ? [`writer = writer.partitionBy(${columns.map(c => pyStr(c)).join(', ')})`]
    : [];
}

/**
 * Constants and the `write_target` function for a target. `appId` identifies the stream to Delta's idempotent
 * writes (one per pipeline).
 */
export function targetWriter(
  target: TargetPlan,
  options: { streaming: boolean; appId: string },
): string[] {
  switch (target.format) {
    case 'iceberg':
      return icebergWriter(target);
    case 'delta':
      return deltaWriter(target, options);
    case 'parquet':
      return [
        `TARGET_PATH = ${pyStr(target.path)}`,
        `WATERMARK_MARKER = ${pyStr(watermarkMarkerPath(target.path))}`,
        ...COMMIT_HELPERS,
        'def write_target(out_df, batch_id=None):',
        `    writer = out_df.write.mode(${pyStr(target.mode)})`,
        ...indent(partitionBy(target.partitionBy)),
        '    writer.parquet(TARGET_PATH)',
        '    properties = commit_properties()',
        `    if ${pyStr(COMMIT_PROPERTIES.watermark)} in properties:`,
        '        # Written after the data (a Parquet folder has no commit): a run stopped in between is read again.',
        '        marker = out_df.sparkSession.createDataFrame([(json.dumps(properties),)], ["value"])',
        '        marker.coalesce(1).write.mode("overwrite").text(WATERMARK_MARKER)',
      ];
    default:
      throw new Error(
        `Unsupported target format ${(target as { format: string }).format}`,
      );
  }
}

function icebergWriter(
  target: Extract<TargetPlan, { format: 'iceberg' }>,
): string[] {
  const name = sparkTableName(target.table);
  const partitioned =
    target.partitioning.length > 0
      ? ` PARTITIONED BY (${partitionSql(target.partitioning)})`
      : '';
  const lines = [
    `TARGET_TABLE = ${pyStr(name)}`,
    `CREATE_SQL = ${pyStr(
      `CREATE TABLE ${name} USING iceberg${partitioned} AS SELECT * FROM _ingestion_updates`,
    )}`,
    ...(target.mode === 'merge'
      ? [`MERGE_SQL = ${pyStr(mergeSql(name, target.mergeKeys))}`]
      : []),
    ...COMMIT_HELPERS,
    'def write_target(out_df, batch_id=None):',
    '    # Iceberg puts session settings with this prefix into the snapshot summary of SQL writes.',
    '    sql_properties = {"spark.sql.iceberg.snapshot-property." + k: v for k, v in commit_properties().items()}',
    '    if not out_df.sparkSession.catalog.tableExists(TARGET_TABLE):',
    '        # Created with its first rows, in SQL: the DataFrame API cannot express every partition transform.',
    ...indent(sqlWrite('CREATE_SQL', 'sql_properties'), 2),
    '        return',
  ];
  if (target.mode === 'merge') {
    return [...lines, ...indent(sqlWrite('MERGE_SQL', 'sql_properties'))];
  }
  return [
    ...lines,
    '    # Unity Catalog managed Iceberg table; the commit properties go into the snapshot summary.',
    '    writer = out_df.writeTo(TARGET_TABLE).using("iceberg")',
    '    for key, value in commit_properties().items():',
    '        writer = writer.option("snapshot-property." + key, value)',
    target.mode === 'overwrite'
      ? '    writer.overwrite(F.lit(True))'
      : '    writer.append()',
  ];
}

function deltaWriter(
  target: Extract<TargetPlan, { format: 'delta' }>,
  { streaming, appId }: { streaming: boolean; appId: string },
): string[] {
  // DeltaTable is needed to check for an earlier commit (batch) and to create the table before merging.
  const needsDeltaTable = !streaming || target.mode === 'merge';
  const lines = [
    ...(needsDeltaTable ? ['from delta.tables import DeltaTable', ''] : []),
    `TARGET_PATH = ${pyStr(target.path)}`,
    // userMetadata tags each commit with the run (how a retried run finds its earlier commit) and the watermark.
    `RUN_METADATA_PREFIX = json.dumps({${pyStr(
      COMMIT_PROPERTIES.runId,
    )}: RUN_ID})[:-1]`,
    ...(streaming ? [`STREAM_APP_ID = ${pyStr(appId)}`] : []),
    ...(target.mode === 'merge'
      ? [
          `MERGE_SQL = ${pyStr(
            mergeSql(
              `delta.${quoteSparkIdentifier(target.path)}`,
              target.mergeKeys,
            ),
          )}`,
        ]
      : []),
    ...COMMIT_HELPERS,
  ];
  if (!streaming) {
    lines.push(
      'def committed_by_this_run():',
      '    """True when a previous attempt of this run already committed (the run is being retried)."""',
      '    if not RUN_ID or not DeltaTable.isDeltaTable(spark, TARGET_PATH):',
      '        return False',
      '    history = DeltaTable.forPath(spark, TARGET_PATH).history()',
      '    return history.filter(F.col("userMetadata").startswith(RUN_METADATA_PREFIX)).limit(1).count() > 0',
      '',
      '',
    );
  }
  const writerLines = [
    `writer = out_df.write.format("delta").mode(${pyStr(
      target.mode === 'overwrite' ? 'overwrite' : 'append',
    )})`,
    'writer = writer.option("userMetadata", json.dumps(commit_properties()))',
    ...partitionBy(target.partitionBy),
    ...(streaming
      ? [
          '# Idempotent micro-batch writes: Delta skips a (txnAppId, txnVersion) it has already committed.',
          'writer = writer.option("txnAppId", STREAM_APP_ID).option("txnVersion", batch_id)',
        ]
      : []),
    'writer.save(TARGET_PATH)',
  ];
  lines.push('def write_target(out_df, batch_id=None):');
  if (target.mode === 'merge') {
    lines.push(
      '    if not DeltaTable.isDeltaTable(out_df.sparkSession, TARGET_PATH):',
      ...indent(writerLines, 2),
      '        return',
      ...indent(
        sqlWrite(
          'MERGE_SQL',
          '{"spark.databricks.delta.commitInfo.userMetadata": json.dumps(commit_properties())}',
        ),
      ),
    );
  } else {
    lines.push(...indent(writerLines));
  }
  return lines;
}
