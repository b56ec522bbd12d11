/**
 * Python that every generated notebook carries verbatim: run parameters, the run summary returned to the
 * backend, and the quality-rule evaluators the generated rule calls use. Kept static (no interpolation) so it
 * can be reviewed once and is identical across pipelines.
 */

/** Widgets (job parameters) the notebook reads; the job's `base_parameters` declare the same names. */
export const NOTEBOOK_PARAMETERS = Object.freeze({
  /** Last committed cursor value of an incremental load; empty for a full load. */
  watermark: 'watermark',
  /** The ingestion run id; recorded in commits so a retried run never writes twice. */
  runId: 'run_id',
  /**
   * `true` when the backend starts a run without a watermark on purpose (a full refresh, or no
   * recorded mark): every source row is read, not the rows after the mark recorded with the
   * target's last commit (what a run the job's own schedule starts continues from).
   */
  fullRefresh: 'full_refresh',
});

/**
 * Keys every write records with its commit (Iceberg snapshot summary, Delta `userMetadata`, the Parquet
 * `_watermark` marker; the local engine's Iceberg snapshots use the same): the run, so a retried run finds its
 * earlier commit, and the new high-water mark of an incremental load, so a run without a watermark parameter
 * (one the job's own schedule starts) continues from it even when the target aggregates the cursor away.
 */
export const COMMIT_PROPERTIES = Object.freeze({
  runId: 'ingestion.run-id',
  watermark: 'ingestion.watermark',
});

export const PARAMETERS_CELL: readonly string[] = [
  `dbutils.widgets.text("${NOTEBOOK_PARAMETERS.watermark}", "")`,
  `dbutils.widgets.text("${NOTEBOOK_PARAMETERS.runId}", "")`,
  `dbutils.widgets.text("${NOTEBOOK_PARAMETERS.fullRefresh}", "")`,
  `WATERMARK = dbutils.widgets.get("${NOTEBOOK_PARAMETERS.watermark}").strip() or None`,
  `RUN_ID = dbutils.widgets.get("${NOTEBOOK_PARAMETERS.runId}").strip()`,
  `FULL_REFRESH = dbutils.widgets.get("${NOTEBOOK_PARAMETERS.fullRefresh}").strip().lower() == "true"`,
  '',
  '# Timestamps are compared and reported in UTC whatever the workspace default is.',
  'spark.conf.set("spark.sql.session.timeZone", "UTC")',
];

export const IMPORTS_CELL: readonly string[] = [
  'import json',
  'from datetime import date, datetime, timezone',
  '',
  'from pyspark.sql import Window',
  'from pyspark.sql import functions as F',
];

export const HELPERS_CELL: readonly string[] = [
  'class QualityFailure(Exception):',
  '    """Raised when a fail or drop rule is below its threshold; the message is the run summary."""',
  '',
  '',
  'def _record_quality(rule, kind, severity, passed, metrics):',
  '    result = {"rule": rule, "kind": kind, "severity": severity, "passed": passed, **metrics}',
  '    SUMMARY["quality"].append(result)',
  '    if not passed:',
  '        print(f"Quality rule {rule} ({kind}, {severity}) did not pass: {json.dumps(metrics, default=str)}")',
  '',
  '',
  'def _pass_rate(total, failed):',
  '    return 1.0 if total == 0 else (total - failed) / total',
  '',
  '',
  'def check_rows(df, rule, kind, severity, threshold, passing):',
  '    """Row-level rule: `passing` is true for good rows (null counts as failing); "drop" removes the others."""',
  '    passing = F.coalesce(passing, F.lit(False))',
  '    row = df.agg(F.count(F.lit(1)).alias("total"), F.count(F.when(~passing, 1)).alias("failed")).first()',
  '    rate = _pass_rate(row["total"], row["failed"])',
  '    _record_quality(rule, kind, severity, rate >= threshold,',
  '                    {"total": row["total"], "failed": row["failed"], "pass_rate": round(rate, 6), "threshold": threshold})',
  '    return df.filter(passing) if severity == "drop" else df',
  '',
  '',
  'def check_unique(df, rule, severity, threshold, columns):',
  '    """Share of rows whose key is not a repeat of an earlier row."""',
  '    total = df.count()',
  '    failed = total - df.select(*columns).distinct().count()',
  '    rate = _pass_rate(total, failed)',
  '    _record_quality(rule, "uniqueness", severity, rate >= threshold,',
  '                    {"total": total, "failed": failed, "pass_rate": round(rate, 6), "threshold": threshold})',
  '    return df',
  '',
  '',
  'def check_row_count(df, rule, severity, minimum, maximum):',
  '    total = df.count()',
  '    passed = (minimum is None or total >= minimum) and (maximum is None or total <= maximum)',
  '    _record_quality(rule, "row_count", severity, passed, {"total": total, "min": minimum, "max": maximum})',
  '    return df',
  '',
  '',
  'def check_freshness(df, rule, severity, columns, max_age_seconds):',
  '    """The newest value of each column must be at most max_age_seconds old."""',
  '    row = df.agg(*[F.max(column).alias(str(i)) for i, column in enumerate(columns)]).first()',
  '    now = datetime.now(timezone.utc).replace(tzinfo=None)',
  '    ages = []',
  '    for latest in row:',
  '        if isinstance(latest, date) and not isinstance(latest, datetime):',
  '            latest = datetime.combine(latest, datetime.min.time())',
  '        ages.append(None if latest is None else (now - latest).total_seconds())',
  '    passed = all(age is not None and age <= max_age_seconds for age in ages)',
  '    _record_quality(rule, "freshness", severity, passed, {"age_seconds": ages, "max_age_seconds": max_age_seconds})',
  '    return df',
  '',
  '',
  'def enforce_quality():',
  '    """Fails the run before anything is written: a fail rule, or a drop rule that dropped too many rows."""',
  '    failed = [r["rule"] for r in SUMMARY["quality"] if r["severity"] != "warn" and not r["passed"]]',
  '    if failed:',
  '        SUMMARY["status"] = "quality_failed"',
  '        raise QualityFailure(json.dumps(SUMMARY, default=str))',
];
