/**
 * Quality rule emitters: calls to the runtime helpers (see runtime.ts), each rebinding `df`. Row-level rules
 * pass a condition that is true for good rows; nulls pass every rule except completeness, which is the rule
 * about nulls.
 */
import { pyCol, pyLiteral, pyStr, sparkColumnRef } from '../python';
import type { SparkSql } from './expression';

export type Severity = 'warn' | 'drop' | 'fail';

interface RuleBase {
  /** Rule name reported in the run summary. */
  name: string;
  severity: Severity;
  /** Minimum share of passing rows, 0–1. */
  threshold: number;
}

export type QualityRule =
  | (RuleBase & { kind: 'completeness'; columns: string[] })
  | (RuleBase & { kind: 'uniqueness'; columns: string[] })
  | (RuleBase & { kind: 'range'; column: string; min?: number | string; max?: number | string })
  | (RuleBase & { kind: 'pattern'; column: string; regex: string })
  | (RuleBase & { kind: 'allowed_values'; column: string; values: Array<string | number | boolean> })
  | (RuleBase & { kind: 'freshness'; column: string; maxAgeSeconds: number })
  | (RuleBase & { kind: 'row_count'; min?: number; max?: number })
  | (RuleBase & { kind: 'expression'; expression: SparkSql });

const nullOr = (column: string, condition: string) => `${pyCol(column)}.isNull() | (${condition})`;

function literal(value: number | string): string {
  return typeof value === 'number' ? pyLiteral(value) : `F.lit(${pyStr(value)})`;
}

/** The Python condition (true for good rows) of a row-level rule, or undefined for dataset-level rules. */
function passingCondition(rule: QualityRule): string | undefined {
  switch (rule.kind) {
    case 'completeness':
      return rule.columns.map(c => `${pyCol(c)}.isNotNull()`).join(' & ');
    case 'range': {
      const parts: string[] = [];
      if (rule.min !== undefined) parts.push(`(${pyCol(rule.column)} >= ${literal(rule.min)})`);
      if (rule.max !== undefined) parts.push(`(${pyCol(rule.column)} <= ${literal(rule.max)})`);
      return nullOr(rule.column, parts.join(' & ') || 'F.lit(True)');
    }
    case 'pattern':
      return nullOr(rule.column, `${pyCol(rule.column)}.cast("string").rlike(${pyStr(rule.regex)})`);
    case 'allowed_values':
      return nullOr(rule.column, `${pyCol(rule.column)}.isin(${pyLiteral(rule.values)})`);
    case 'expression':
      return `F.expr(${pyStr(rule.expression)})`;
    default:
      return undefined;
  }
}

/** Python lines evaluating one rule against `df`. */
export function qualityRule(rule: QualityRule): string[] {
  const head = `${pyStr(rule.name)}, `;
  const condition = passingCondition(rule);
  if (condition !== undefined) {
    return [
      `df = check_rows(df, ${head}${pyStr(rule.kind)}, ${pyStr(rule.severity)}, ${pyLiteral(rule.threshold)},`,
      `                ${condition})`,
    ];
  }
  switch (rule.kind) {
    case 'uniqueness':
      return [
        `df = check_unique(df, ${head}${pyStr(rule.severity)}, ${pyLiteral(rule.threshold)}, ${pyLiteral(rule.columns.map(sparkColumnRef))})`,
      ];
    case 'row_count':
      return [
        `df = check_row_count(df, ${head}${pyStr(rule.severity)}, ${pyLiteral(rule.min)}, ${pyLiteral(rule.max)})`,
      ];
    case 'freshness':
      return [
        `df = check_freshness(df, ${head}${pyStr(rule.severity)}, ${pyCol(rule.column)}, ${rule.maxAgeSeconds})`,
      ];
    default:
      throw new Error(`Unsupported quality rule kind "${(rule as { kind: string }).kind}"`);
  }
}
