/**
 * Incremental batch loads: the watermark filter on the source, and the high-water mark a scheduled run
 * continues from (recorded with the target's commits, or the target's largest cursor value).
 */
import { pyCol, pyStr, quoteSparkIdentifier, sparkTableName } from '../python';
import { indent } from '../notebook';
import { COMMIT_PROPERTIES } from './runtime';
import { watermarkMarkerPath } from './targets';

/** The target an incremental load continues from when no watermark was passed. */
export type HighWaterMarkTarget =
  | { format: 'iceberg'; table: string[] }
  | { format: 'delta' | 'parquet'; path: string };

/** Python that reads the target as a DataFrame into `_target`, or sets it to None when there is none yet. */
function readTarget(target: HighWaterMarkTarget): string[] {
  if (target.format === 'iceberg') {
    const name = pyStr(sparkTableName(target.table));
    return [
      `_target = spark.read.table(${name}) if spark.catalog.tableExists(${name}) else None`,
    ];
  }
  return [
    '# A missing path raises AnalysisException, whose module moved between PySpark versions.',
    'try:',
    `    _target = spark.read.format(${pyStr(target.format)}).load(${pyStr(
      target.path,
    )})`,
    'except Exception:',
    '    _target = None',
  ];
}

/**
 * Python that reads the commit properties the target's writes recorded, newest first, into `_commits`: the
 * Iceberg snapshot summaries, Delta's `userMetadata` (JSON), or the Parquet `_watermark` marker (JSON).
 */
function readCommits(target: HighWaterMarkTarget): string[] {
  if (target.format === 'iceberg') {
    const name = sparkTableName(target.table);
    return [
      `if spark.catalog.tableExists(${pyStr(name)}):`,
      `    _commits = [r[0] for r in spark.sql(${pyStr(
        `SELECT summary FROM ${name}.snapshots ORDER BY committed_at DESC`,
      )}).collect()]`,
      'else:',
      '    _commits = []',
    ];
  }
  const read =
    target.format === 'delta'
      ? `spark.sql(${pyStr(
          `DESCRIBE HISTORY delta.${quoteSparkIdentifier(target.path)}`,
        )}).select("userMetadata")`
      : `spark.read.text(${pyStr(watermarkMarkerPath(target.path))})`;
  return [
    'try:',
    `    _commits = [r[0] for r in ${read}.collect()]`,
    'except Exception:',
    '    _commits = []',
  ];
}

/** The newest recorded high-water mark in `_commits` (dicts or JSON text; other writers' commits have none). */
const RECORDED_WATERMARK = [
  '',
  'def recorded_watermark(commits):',
  '    for properties in commits:',
  '        if isinstance(properties, str):',
  '            try:',
  '                properties = json.loads(properties)',
  '            except ValueError:',
  '                continue',
  `        if isinstance(properties, dict) and properties.get(${pyStr(
    COMMIT_PROPERTIES.watermark,
  )}) is not None:`,
  `            return properties[${pyStr(COMMIT_PROPERTIES.watermark)}]`,
  '    return None',
  '',
  '',
];

/**
 * Incremental batch loads: keep only rows past the watermark job parameter, compared in the cursor column's
 * own type (for JDBC, Spark pushes the predicate down to the database).
 *
 * The backend passes its watermark to every run it starts (runs/submit, run-now). A run the job's own
 * Databricks schedule starts gets an empty parameter (and no `full_refresh`), so it continues from the high-water mark the last
 * incremental write recorded with its commit (which survives targets that aggregate the cursor away), else
 * from the largest cursor value the target holds (targets written before commits recorded it). Otherwise
 * (first run, or an aggregated target without a recorded mark) it reads everything.
 */
export function incrementalFilter(
  cursor: string,
  target?: HighWaterMarkTarget,
): string[] {
  const fallback = target
    ? [
        ...RECORDED_WATERMARK,
        'SUMMARY["watermark_source"] = "parameter" if WATERMARK is not None else None',
        'if WATERMARK is None and not FULL_REFRESH:',
        "    # Started by the job's own schedule: continue after what the target's last incremental write read.",
        ...indent(readCommits(target)),
        '    WATERMARK = recorded_watermark(_commits)',
        '    if WATERMARK is not None:',
        '        SUMMARY["watermark"] = WATERMARK',
        '        SUMMARY["watermark_source"] = "commit"',
        '    else:',
        ...indent(readTarget(target), 2),
        `        if _target is not None and ${pyStr(
          cursor,
        )} in _target.columns:`,
        `            _high = _target.agg(F.max(${pyCol(cursor)})).first()[0]`,
        '            if _high is not None:',
        '                WATERMARK = _high.isoformat() if hasattr(_high, "isoformat") else str(_high)',
        '                SUMMARY["watermark"] = WATERMARK',
        '                SUMMARY["watermark_source"] = "target"',
        '        elif _target is not None:',
        `            print(${pyStr(
          `The target has no column ${cursor} and no recorded watermark to continue from; reading every source row.`,
        )})`,
        '',
      ]
    : [];
  return [
    ...fallback,
    'if WATERMARK is not None:',
    `    _cursor_type = source_df.schema[${pyStr(cursor)}].dataType`,
    `    source_df = source_df.filter(${pyCol(
      cursor,
    )} > F.lit(WATERMARK).cast(_cursor_type))`,
  ];
}
