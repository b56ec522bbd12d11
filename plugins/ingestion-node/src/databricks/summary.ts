import type {
  PipelineSpec,
  QualityRuleSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { ruleLabel } from '../codegen/pyspark/quality';
import type { EngineRunResult, EngineTableCommit } from '../engines/types';

/**
 * One quality rule's entry in a notebook's run summary (see the generated notebook's `_record_quality`):
 * the rule's label, kind, severity and outcome, plus its metrics (`total`, `failed`, `pass_rate`, `threshold`;
 * `min`/`max` for row counts; `age_seconds`/`max_age_seconds` for freshness).
 *
 * @public
 */
export interface NotebookQualityEntry {
  rule: string;
  kind: string;
  severity: 'warn' | 'drop' | 'fail';
  passed: boolean;
  [metric: string]: unknown;
}

/**
 * The JSON a generated notebook passes to `dbutils.notebook.exit` (or, when a `fail` rule stops it, raises as
 * the message of `QualityFailure`).
 *
 * @public
 */
export interface NotebookRunSummary {
  /** `succeeded`, or `quality_failed` when quality rules stopped the run before anything was written. */
  status: string;
  run_id?: string;
  organization?: string;
  pipeline_id?: string;
  pipeline_version?: string;
  rows_read: number;
  rows_written: number;
  quality: NotebookQualityEntry[];
  /** The watermark for the next incremental run; null when no rows were read (the last mark stands). */
  watermark: string | null;
  /** A retried batch run found its commit already in the target and did not write again. */
  already_committed?: boolean;
  http_pages_truncated?: boolean;
}

const SEVERITIES = ['warn', 'drop', 'fail'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a notebook run summary, checking the fields the backend relies on.
 *
 * @throws Error when the text is not a run summary.
 * @public
 */
export function parseNotebookSummary(text: string): NotebookRunSummary {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`The notebook result is not JSON: ${text.slice(0, 200)}`);
  }
  const problems: string[] = [];
  if (!isRecord(value)) {
    throw new Error('The notebook result is not a JSON object');
  }
  if (typeof value.status !== 'string') {
    problems.push('status must be a string');
  }
  for (const key of ['rows_read', 'rows_written']) {
    const count = value[key];
    if (typeof count !== 'number' || !Number.isFinite(count) || count < 0) {
      problems.push(`${key} must be a non-negative number`);
    }
  }
  if (
    value.watermark !== null &&
    value.watermark !== undefined &&
    typeof value.watermark !== 'string'
  ) {
    problems.push('watermark must be a string or null');
  }
  if (!Array.isArray(value.quality)) {
    problems.push('quality must be a list');
  } else {
    value.quality.forEach((entry, index) => {
      if (
        !isRecord(entry) ||
        typeof entry.rule !== 'string' ||
        typeof entry.kind !== 'string' ||
        !SEVERITIES.includes(entry.severity as string) ||
        typeof entry.passed !== 'boolean'
      ) {
        problems.push(
          `quality[${index}] needs rule, kind, severity and passed`,
        );
      }
    });
  }
  if (problems.length > 0) {
    throw new Error(
      `The notebook result is not a run summary: ${problems.join('; ')}`,
    );
  }
  return {
    ...value,
    watermark: (value.watermark as string | null | undefined) ?? null,
  } as NotebookRunSummary;
}

/** The first complete JSON object in `text` at or after `from`. */
function extractJsonObject(text: string, from: number): string | undefined {
  const start = text.indexOf('{', from);
  if (start < 0) {
    return undefined;
  }
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) {
        escaped = false;
      } else if (c === '\\') {
        escaped = true;
      } else if (c === '"') {
        inString = false;
      }
    } else if (c === '"') {
      inString = true;
    } else if (c === '{') {
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) {
        return text.slice(start, i + 1);
      }
    }
  }
  return undefined;
}

/** Terminal colour codes, which Databricks keeps in Python error traces. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');

/**
 * The run summary of a notebook stopped by its quality rules: generated notebooks raise
 * `QualityFailure(<summary JSON>)`, which Databricks reports in the task's `error` (and `error_trace`).
 * Returns undefined when none of the texts carries one.
 *
 * @public
 */
export function findQualityFailureSummary(
  ...texts: Array<string | undefined>
): NotebookRunSummary | undefined {
  for (const raw of texts) {
    if (!raw) {
      continue;
    }
    const text = raw.replace(ANSI, '');
    let index = text.indexOf('QualityFailure');
    while (index >= 0) {
      const json = extractJsonObject(text, index);
      if (json) {
        try {
          const summary = parseNotebookSummary(json);
          if (summary.status === 'quality_failed') {
            return summary;
          }
        } catch {
          // Not the summary (e.g. the class definition in a trace); keep looking.
        }
      }
      index = text.indexOf('QualityFailure', index + 1);
    }
  }
  return undefined;
}

const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

function qualityMessage(entry: NotebookQualityEntry): string {
  switch (entry.kind) {
    case 'row_count':
      return `${entry.total} rows; expected ${entry.min ?? 'any'} to ${
        entry.max ?? 'any'
      }`;
    case 'freshness':
      return `newest value ages ${JSON.stringify(
        entry.age_seconds,
      )} s; at most ${entry.max_age_seconds} s allowed`;
    default:
      return `pass rate ${entry.pass_rate} (${entry.failed} of ${entry.total} rows failed); threshold ${entry.threshold}`;
  }
}

/** What a rule measured: the row count, the oldest newest-value age, or the pass rate. */
function observedValue(entry: NotebookQualityEntry): number | undefined {
  if (entry.kind === 'row_count') {
    return num(entry.total);
  }
  if (entry.kind === 'freshness') {
    const ages = Array.isArray(entry.age_seconds)
      ? entry.age_seconds.map(num).filter((a): a is number => a !== undefined)
      : [];
    return ages.length > 0 ? Math.max(...ages) : undefined;
  }
  return num(entry.pass_rate);
}

/**
 * A notebook's quality entries as the backend's quality results: matched to the spec's rules by label (the
 * notebook records rules in spec order, under `ruleLabel`), with the observed value (pass rate, row count or
 * oldest age) and the failed row count.
 *
 * @public
 */
export function notebookQualityResults(
  summary: NotebookRunSummary,
  spec: PipelineSpec,
): EngineRunResult['quality'] {
  const rules: QualityRuleSpec[] = spec.data_quality ?? [];
  const used = new Set<number>();
  return summary.quality.map((entry, position) => {
    let ruleIndex = rules.findIndex(
      (rule, index) => !used.has(index) && ruleLabel(rule) === entry.rule,
    );
    if (ruleIndex < 0) {
      ruleIndex = position;
    }
    used.add(ruleIndex);
    const rule = rules[ruleIndex] as QualityRuleSpec | undefined;
    const observed = observedValue(entry);
    const threshold =
      entry.kind === 'freshness'
        ? num(entry.max_age_seconds)
        : num(entry.threshold);
    return {
      ruleIndex,
      ruleType: rule?.type ?? entry.kind,
      columns: rule && 'columns' in rule ? [...rule.columns] : [],
      severity: entry.severity,
      ...(threshold !== undefined ? { threshold } : {}),
      ...(observed !== undefined ? { observed } : {}),
      passed: entry.passed,
      ...(num(entry.failed) !== undefined
        ? { failedRows: num(entry.failed) }
        : {}),
      message: `${entry.rule}: ${qualityMessage(entry)}`,
    };
  });
}

/** The table a pipeline's target writes, as a run result reports it. */
export function targetTableCommit(
  spec: PipelineSpec,
  storage?: string,
): EngineTableCommit {
  const target = spec.target;
  if (target.type === 'iceberg') {
    return {
      format: 'iceberg',
      catalogName: target.catalog,
      namespace: target.schema,
      tableName: target.table,
    };
  }
  const location =
    target.path.startsWith('s3://') || !storage
      ? target.path
      : `${storage.replace(/\/+$/, '')}/${target.path}`;
  return { format: target.type, location };
}

/**
 * Options of {@link notebookRunResult}.
 *
 * @public
 */
export interface NotebookRunResultOptions {
  spec: PipelineSpec;
  /** The organization's storage root, for targets given as relative paths. */
  storage?: string;
  dbus: number;
}

/**
 * The engine result of a notebook run from its summary: rows, quality results, the new watermark and the
 * target table. A quality-failed run wrote nothing, so it reports no rows written, no table and keeps the
 * watermark where it was.
 *
 * @public
 */
export function notebookRunResult(
  summary: NotebookRunSummary,
  options: NotebookRunResultOptions,
): EngineRunResult {
  const qualityFailed = summary.status === 'quality_failed';
  return {
    rowsRead: summary.rows_read,
    rowsWritten: qualityFailed ? 0 : summary.rows_written,
    // Notebooks do not measure bytes; the Iceberg snapshot summary has them once the table is read.
    bytesWritten: 0,
    dbus: options.dbus,
    ...(!qualityFailed && summary.watermark !== null
      ? { watermarkOut: summary.watermark }
      : {}),
    quality: notebookQualityResults(summary, options.spec),
    tables: qualityFailed
      ? []
      : [targetTableCommit(options.spec, options.storage)],
  };
}
