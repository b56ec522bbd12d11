/**
 * Quality rule emitters: calls to the runtime helpers (see runtime.ts), each rebinding `df`. Row-level rules
 * pass a condition that is true for good rows; NULLs pass every rule except completeness, the rule about NULLs.
 */
import {
  parseDurationSeconds,
  type QualityRuleSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { pyCol, pyLiteral, pyStr, sparkColumnRef } from '../python';
import { toSparkSql } from './expression';

/** The rule's label in run results: its `name`, else its type and columns, e.g. `completeness(id, amount)`. */
export function ruleLabel(rule: QualityRuleSpec): string {
  if (rule.name) {
    return rule.name;
  }
  return 'columns' in rule
    ? `${rule.type}(${rule.columns.join(', ')})`
    : rule.type;
}

/** Each listed column must meet `condition`; NULL values pass. */
function everyColumn(
  columns: string[],
  condition: (col: string) => string,
): string {
  return columns
    .map(c => `(${pyCol(c)}.isNull() | ${condition(pyCol(c))})`)
    .join(' & ');
}

/** The Python condition (true for good rows) of a row-level rule, or undefined for dataset-level rules. */
function passingCondition(
  rule: QualityRuleSpec,
  label: string,
): string | undefined {
  switch (rule.type) {
    case 'completeness':
      return rule.columns.map(c => `${pyCol(c)}.isNotNull()`).join(' & ');
    case 'range':
      return everyColumn(rule.columns, col =>
        [
          ...(rule.min !== undefined
            ? [`(${col} >= ${pyLiteral(rule.min)})`]
            : []),
          ...(rule.max !== undefined
            ? [`(${col} <= ${pyLiteral(rule.max)})`]
            : []),
        ].join(' & '),
      );
    case 'pattern':
      return everyColumn(
        rule.columns,
        col => `${col}.cast("string").rlike(${pyStr(rule.pattern)})`,
      );
    case 'allowed_values':
      return everyColumn(
        rule.columns,
        col => `${col}.isin(${pyLiteral(rule.values)})`,
      );
    case 'expression':
      return `F.expr(${pyStr(
        toSparkSql(rule.expression, {
          condition: true,
          where: `quality rule ${label}`,
        }),
      )})`;
    default:
      return undefined;
  }
}

/** Python lines evaluating one rule against `df`. */
export function qualityRule(rule: QualityRuleSpec): string[] {
  const label = ruleLabel(rule);
  const head = `df, ${pyStr(label)}, `;
  const condition = passingCondition(rule, label);
  if (condition !== undefined && 'threshold' in rule) {
    return [
      `df = check_rows(${head}${pyStr(rule.type)}, ${pyStr(
        rule.severity,
      )}, ${pyLiteral(rule.threshold)},`,
      `                ${condition})`,
    ];
  }
  switch (rule.type) {
    case 'uniqueness':
      return [
        `df = check_unique(${head}${pyStr(rule.severity)}, ${pyLiteral(
          rule.threshold,
        )}, ${pyLiteral(rule.columns.map(sparkColumnRef))})`,
      ];
    case 'row_count':
      return [
        `df = check_row_count(${head}${pyStr(rule.severity)}, ${pyLiteral(
          rule.min,
        )}, ${pyLiteral(rule.max)})`,
      ];
    case 'freshness': {
      const maxAge = parseDurationSeconds(rule.max_age);
      if (maxAge === undefined) {
        throw new Error(
          `Invalid max_age "${rule.max_age}" in quality rule ${label}`,
        );
      }
      return [
        `df = check_freshness(${head}${pyStr(rule.severity)}, [${rule.columns
          .map(pyCol)
          .join(', ')}], ${maxAge})`,
      ];
    }
    default:
      throw new Error(`Unsupported quality rule type "${rule.type}"`);
  }
}
