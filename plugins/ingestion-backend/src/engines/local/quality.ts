import {
  parseDurationSeconds,
  parseExpression,
  referencedColumns,
  renderExpression,
  type QualityRuleSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { EngineRunResult } from '@ingestion-for-backstage/plugin-ingestion-node';
import { LocalEngineError } from './errors';
import { Column, quoteIdentifier, quoteLiteral } from './sql';
import { RunWorkspace } from './workspace';

/**
 * Data quality rules, evaluated in SQL on the transformed rows, in the order listed (as the
 * Databricks notebooks do): a row-level rule measures the share of rows whose condition is true
 * (NULL values pass every rule but completeness; a condition that is NULL fails), and with
 * severity `drop` the failing rows are removed before the next rule and the write. Uniqueness,
 * freshness and row count judge the rows as a whole.
 *
 * The run fails (`quality_failed`, nothing written) when a `fail` rule is below its threshold
 * or a `drop` rule dropped more than its threshold allows; `warn` rules only log.
 */

export type QualityResultRecord = EngineRunResult['quality'][number];

export interface QualityOutcome {
  results: QualityResultRecord[];
  /** The rows to write: the input, less the rows `drop` rules removed. */
  relation: string;
  /** The unquoted name of `relation` when `drop` rules removed rows (a view over the input). */
  dropView?: string;
  /** Why the run fails, when it does. */
  failure?: string;
}

/** The label of a rule in results: its name, else its type and columns. */
export function ruleLabel(rule: QualityRuleSpec): string {
  if (rule.name) return rule.name;
  return 'columns' in rule
    ? `${rule.type}(${rule.columns.join(', ')})`
    : rule.type;
}

function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) {
    throw new LocalEngineError(`Invalid number ${value} in a quality rule`);
  }
  return String(value);
}

const round = (value: number) => Math.round(value * 1e6) / 1e6;

export async function checkQuality(options: {
  workspace: RunWorkspace;
  rules: QualityRuleSpec[];
  relation: string;
  columns: Column[];
  log(level: 'info' | 'warn' | 'error', message: string): Promise<void>;
  checkCancelled(): void;
}): Promise<QualityOutcome> {
  const { workspace, rules, columns } = options;
  const { connection } = workspace;
  let relation = options.relation;
  let dropView: string | undefined;
  const results: QualityResultRecord[] = [];
  const failures: string[] = [];

  for (const [index, rule] of rules.entries()) {
    options.checkCancelled();
    const where = `data_quality[${index}] (${rule.type})`;
    const label = ruleLabel(rule);
    const need = (name: string) => {
      const lower = name.toLowerCase();
      const column = columns.find(c => c.name.toLowerCase() === lower);
      if (!column) {
        throw new LocalEngineError(
          `${where}: column '${name}' does not exist; the columns are ${columns
            .map(c => c.name)
            .join(', ')}`,
        );
      }
      return quoteIdentifier(column.name);
    };
    const ruleColumns = 'columns' in rule ? rule.columns : [];
    const base = {
      ruleIndex: index,
      ruleType: rule.type,
      columns:
        rule.type === 'expression'
          ? referencedColumnsOf(rule.expression)
          : ruleColumns,
      severity: rule.severity,
    };

    const passing = passingCondition(rule, need, where);
    let result: QualityResultRecord;
    if (passing !== undefined && 'threshold' in rule) {
      const condition = `coalesce(${passing}, false)`;
      const reader = await connection.runAndReadAll(
        `SELECT count(*) AS total, count(*) FILTER (WHERE NOT ${condition}) AS failed FROM ${relation}`,
      );
      const [total, failed] = reader.getRowsJS()[0].map(Number);
      const observed = total === 0 ? 1 : (total - failed) / total;
      const passed = observed >= rule.threshold;
      result = {
        ...base,
        threshold: rule.threshold,
        observed: round(observed),
        passed,
        failedRows: failed,
        message: `${total - failed} of ${total} rows passed (${(
          observed * 100
        ).toFixed(2)}%, threshold ${(rule.threshold * 100).toFixed(2)}%)${
          rule.severity === 'drop' && failed > 0 ? `; dropped ${failed}` : ''
        }`,
      };
      if (rule.severity === 'drop' && failed > 0) {
        dropView = `quality_${index}`;
        const view = quoteIdentifier(dropView);
        await connection.run(
          `CREATE VIEW ${view} AS SELECT * FROM ${relation} WHERE ${condition}`,
        );
        relation = view;
      }
    } else if (rule.type === 'uniqueness') {
      const keys = rule.columns.map(need).join(', ');
      const reader = await connection.runAndReadAll(
        `SELECT (SELECT count(*) FROM ${relation}), (SELECT count(*) FROM (SELECT DISTINCT ${keys} FROM ${relation}))`,
      );
      const [total, distinct] = reader.getRowsJS()[0].map(Number);
      const observed = total === 0 ? 1 : distinct / total;
      result = {
        ...base,
        threshold: rule.threshold,
        observed: round(observed),
        passed: observed >= rule.threshold,
        failedRows: total - distinct,
        message: `${distinct} distinct of ${total} rows (${(
          observed * 100
        ).toFixed(2)}%, threshold ${(rule.threshold * 100).toFixed(2)}%)`,
      };
    } else if (rule.type === 'freshness') {
      const maxAge = parseDurationSeconds(rule.max_age);
      if (maxAge === undefined) {
        throw new LocalEngineError(
          `${where}: invalid max_age '${rule.max_age}'`,
        );
      }
      const ages = rule.columns.map(
        c =>
          `epoch(CAST(now() AS TIMESTAMP)) - epoch(max(CAST(${need(
            c,
          )} AS TIMESTAMP)))`,
      );
      const reader = await connection.runAndReadAll(
        `SELECT ${ages.join(', ')} FROM ${relation}`,
      );
      const values = reader
        .getRowsJS()[0]
        .map(v => (v === null || v === undefined ? null : Number(v)));
      const passed = values.every(age => age !== null && age <= maxAge);
      const worst = values.some(age => age === null)
        ? undefined
        : Math.max(...(values as number[]));
      result = {
        ...base,
        threshold: maxAge,
        observed: worst === undefined ? undefined : Math.round(worst),
        passed,
        message:
          worst === undefined
            ? 'no values to judge freshness by'
            : `newest value is ${Math.round(
                worst,
              )} s old (at most ${maxAge} s allowed)`,
      };
    } else if (rule.type === 'row_count') {
      const reader = await connection.runAndReadAll(
        `SELECT count(*) FROM ${relation}`,
      );
      const total = Number(reader.getRowsJS()[0][0]);
      const passed =
        (rule.min === undefined || total >= rule.min) &&
        (rule.max === undefined || total <= rule.max);
      result = {
        ...base,
        observed: total,
        passed,
        message: `${total} rows (expected ${[
          rule.min !== undefined ? `at least ${rule.min}` : '',
          rule.max !== undefined ? `at most ${rule.max}` : '',
        ]
          .filter(Boolean)
          .join(' and ')})`,
      };
    } else {
      throw new LocalEngineError(`${where}: unsupported rule type`);
    }

    results.push(result);
    if (!result.passed) {
      const text = `Quality rule ${label} did not pass: ${result.message}`;
      if (rule.severity === 'warn') {
        await options.log('warn', text);
      } else {
        failures.push(text);
        await options.log('error', text);
      }
    }
  }
  return {
    results,
    relation,
    dropView,
    failure: failures.length ? failures.join('; ') : undefined,
  };
}

function referencedColumnsOf(text: string): string[] {
  const parsed = parseExpression(text, { expect: 'boolean' });
  return parsed.ok ? referencedColumns(parsed.ast) : [];
}

/** The SQL condition true for good rows of a row-level rule; undefined for dataset rules. */
function passingCondition(
  rule: QualityRuleSpec,
  need: (name: string) => string,
  where: string,
): string | undefined {
  const everyColumn = (columns: string[], test: (ref: string) => string) =>
    columns
      .map(c => {
        const ref = need(c);
        return `(${ref} IS NULL OR (${test(ref)}))`;
      })
      .join(' AND ');
  switch (rule.type) {
    case 'completeness':
      return rule.columns.map(c => `${need(c)} IS NOT NULL`).join(' AND ');
    case 'range':
      return everyColumn(rule.columns, ref => {
        const value = `TRY_CAST(${ref} AS DOUBLE)`;
        return [
          ...(rule.min !== undefined
            ? [`${value} >= ${numberLiteral(rule.min)}`]
            : []),
          ...(rule.max !== undefined
            ? [`${value} <= ${numberLiteral(rule.max)}`]
            : []),
        ].join(' AND ');
      });
    case 'pattern':
      return everyColumn(
        rule.columns,
        ref =>
          `regexp_matches(CAST(${ref} AS VARCHAR), ${quoteLiteral(
            rule.pattern,
          )})`,
      );
    case 'allowed_values':
      return everyColumn(rule.columns, ref => {
        const strings = rule.values.filter(
          (v): v is string => typeof v === 'string',
        );
        const numbers = rule.values.filter(
          (v): v is number => typeof v === 'number',
        );
        const booleans = rule.values.filter(
          (v): v is boolean => typeof v === 'boolean',
        );
        return [
          ...(strings.length
            ? [
                `CAST(${ref} AS VARCHAR) IN (${strings
                  .map(quoteLiteral)
                  .join(', ')})`,
              ]
            : []),
          ...(numbers.length
            ? [
                `TRY_CAST(${ref} AS DOUBLE) IN (${numbers
                  .map(numberLiteral)
                  .join(', ')})`,
              ]
            : []),
          ...(booleans.length
            ? [
                `TRY_CAST(${ref} AS BOOLEAN) IN (${booleans
                  .map(String)
                  .join(', ')})`,
              ]
            : []),
        ].join(' OR ');
      });
    case 'expression': {
      const parsed = parseExpression(rule.expression, { expect: 'boolean' });
      if (!parsed.ok) {
        throw new LocalEngineError(
          `${where}: invalid expression: ${parsed.error.message}`,
        );
      }
      referencedColumns(parsed.ast).forEach(need);
      return renderExpression(parsed.ast, 'duckdb');
    }
    default:
      return undefined;
  }
}
