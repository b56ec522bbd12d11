/**
 * Target writers: a `write_target(out_df, batch_id=None)` function shared by batch runs (called once) and
 * streaming runs (called per micro-batch from `foreachBatch`), plus the statements that drive it.
 */
import { pyCol, pyStr, quoteSparkIdentifier, sparkTableName } from '../python';
import { indent } from '../notebook';

export type WriteMode = 'append' | 'overwrite' | 'merge';

export type TargetPlan =
  | {
      format: 'iceberg';
      table: string[];
      mode: WriteMode;
      mergeKeys: string[];
      partitionBy: string[];
    }
  | {
      format: 'delta';
      /** A Unity Catalog table, or else `path`. */
      table?: string[];
      path?: string;
      mode: WriteMode;
      mergeKeys: string[];
      partitionBy: string[];
    }
  | { format: 'parquet'; path: string; mode: 'append' | 'overwrite'; partitionBy: string[] };

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

const MERGE_CALL = [
  '# Temp views and SQL go through the DataFrame\'s own session (foreachBatch runs in a separate one).',
  'out_df.createOrReplaceTempView("_ingestion_updates")',
  'out_df.sparkSession.sql(MERGE_SQL)',
];

function partitionArgs(columns: string[]): string {
  return columns.map(pyCol).join(', ');
}

/**
 * Constants and the `write_target` function for a target. `appId` identifies the stream to Delta's idempotent
 * writes (one per pipeline).
 */
export function targetWriter(target: TargetPlan, options: { streaming: boolean; appId: string }): string[] {
  switch (target.format) {
    case 'iceberg':
      return icebergWriter(target);
    case 'delta':
      return deltaWriter(target, options);
    case 'parquet':
      return [
        `TARGET_PATH = ${pyStr(target.path)}`,
        '',
        '',
        'def write_target(out_df, batch_id=None):',
        `    writer = out_df.write.mode(${pyStr(target.mode)})`,
        ...(target.partitionBy.length > 0
          ? [`    writer = writer.partitionBy(${target.partitionBy.map(c => pyStr(c)).join(', ')})`]
          : []),
        '    writer.parquet(TARGET_PATH)',
      ];
    default:
      throw new Error(`Unsupported target format ${(target as { format: string }).format}`);
  }
}

function icebergWriter(target: Extract<TargetPlan, { format: 'iceberg' }>): string[] {
  const name = sparkTableName(target.table);
  const create = [
    '    # Unity Catalog managed Iceberg table; the run id is recorded in the snapshot summary.',
    '    writer = (',
    '        out_df.writeTo(TARGET_TABLE)',
    '        .using("iceberg")',
    '        .option("snapshot-property.ingestion.run-id", RUN_ID)',
    '    )',
  ];
  const partitioned =
    target.partitionBy.length > 0 ? `writer.partitionedBy(${partitionArgs(target.partitionBy)})` : 'writer';
  const lines = [`TARGET_TABLE = ${pyStr(name)}`];
  if (target.mode === 'merge') {
    lines.push(`MERGE_SQL = ${pyStr(mergeSql(name, target.mergeKeys))}`);
  }
  lines.push('', '', 'def write_target(out_df, batch_id=None):', ...create);
  if (target.mode === 'overwrite') {
    lines.push(`    ${partitioned}.createOrReplace()`);
    return lines;
  }
  lines.push(
    '    if not out_df.sparkSession.catalog.tableExists(TARGET_TABLE):',
    `        ${partitioned}.create()`,
    '        return',
  );
  lines.push(...(target.mode === 'merge' ? indent(MERGE_CALL) : ['    writer.append()']));
  return lines;
}

function deltaWriter(
  target: Extract<TargetPlan, { format: 'delta' }>,
  { streaming, appId }: { streaming: boolean; appId: string },
): string[] {
  const byTable = target.table !== undefined;
  if (!byTable && !target.path) {
    throw new Error('A Delta target needs a table or a path');
  }
  const name = byTable ? sparkTableName(target.table!) : `delta.${quoteSparkIdentifier(target.path!)}`;
  const lines = ['from delta.tables import DeltaTable', ''];
  lines.push(
    byTable ? `TARGET_TABLE = ${pyStr(name)}` : `TARGET_PATH = ${pyStr(target.path!)}`,
    // userMetadata tags each commit with the run, which is how a retried run finds its earlier commit.
    'COMMIT_METADATA = json.dumps({"ingestion.run-id": RUN_ID})',
    ...(streaming ? [`STREAM_APP_ID = ${pyStr(appId)}`] : []),
  );
  if (target.mode === 'merge') {
    lines.push(`MERGE_SQL = ${pyStr(mergeSql(name, target.mergeKeys))}`);
  }
  const exists = byTable
    ? 'out_df.sparkSession.catalog.tableExists(TARGET_TABLE)'
    : 'DeltaTable.isDeltaTable(out_df.sparkSession, TARGET_PATH)';
  const handle = byTable
    ? 'DeltaTable.forName(spark, TARGET_TABLE)'
    : 'DeltaTable.forPath(spark, TARGET_PATH)';
  lines.push(
    '',
    '',
    'def target_exists(out_df):',
    `    return ${exists}`,
    '',
    '',
  );
  if (!streaming) {
    lines.push(
      'def committed_by_this_run():',
      '    """True when a previous attempt of this run already committed (the run is being retried)."""',
      '    if not RUN_ID or not target_exists(spark.range(0)):',
      '        return False',
      `    return ${handle}.history().filter(F.col("userMetadata") == COMMIT_METADATA).limit(1).count() > 0`,
      '',
      '',
    );
  }
  const save = byTable ? 'writer.saveAsTable(TARGET_TABLE)' : 'writer.save(TARGET_PATH)';
  const writerLines = [
    `writer = out_df.write.format("delta").mode(${pyStr(target.mode === 'overwrite' ? 'overwrite' : 'append')})`,
    'writer = writer.option("userMetadata", COMMIT_METADATA)',
    ...(target.partitionBy.length > 0
      ? [`writer = writer.partitionBy(${target.partitionBy.map(c => pyStr(c)).join(', ')})`]
      : []),
    ...(streaming
      ? [
          '# Idempotent micro-batch writes: Delta skips a (txnAppId, txnVersion) it has already committed.',
          'writer = writer.option("txnAppId", STREAM_APP_ID).option("txnVersion", batch_id)',
        ]
      : []),
    save,
  ];
  lines.push('def write_target(out_df, batch_id=None):');
  if (target.mode === 'merge') {
    lines.push(
      '    if not target_exists(out_df):',
      ...indent(writerLines, 2),
      '        return',
      ...indent(MERGE_CALL),
    );
  } else {
    lines.push(...indent(writerLines));
  }
  return lines;
}
