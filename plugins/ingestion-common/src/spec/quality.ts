import { z } from 'zod';
import { duration, expression, identifier, identifierList } from './fields';

/*
 * Data quality rules, checked on the rows about to be written.
 *
 * A rule measures the share of rows that pass (0 to 1). When that share is below
 * `threshold`, `severity` decides: `warn` records a warning and writes everything; `fail`
 * fails the run and writes nothing. `drop` removes the failing rows and writes the rest; it
 * fails the run only when the share is below the threshold, which for `drop` defaults to 0
 * (drop silently) and otherwise to 1 (every row must pass).
 *
 * Rules about the dataset as a whole (uniqueness, freshness, row_count) cannot drop rows.
 */

const ruleName = identifier('rule')
  .optional()
  .describe(
    'Label shown in run results; defaults to the rule type and columns',
  );

/** Fields of row-level rules: each row passes or fails on its own, so failing rows can be dropped. */
const ROW_RULE_FIELDS = {
  name: ruleName,
  severity: z.enum(['warn', 'drop', 'fail']).default('fail'),
  threshold: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe(
      'Minimum share of passing rows (default 1, or 0 with severity drop)',
    ),
};

/** Fills the threshold default, which depends on the severity. */
function withThresholdDefault<
  R extends { severity: 'warn' | 'drop' | 'fail'; threshold?: number },
>(rule: R): R & { threshold: number } {
  return {
    ...rule,
    threshold: rule.threshold ?? (rule.severity === 'drop' ? 0 : 1),
  };
}

const datasetSeverity = z
  .enum(['warn', 'fail'], {
    error: issue =>
      issue.input === 'drop'
        ? 'severity drop needs a row-level rule; this rule checks the dataset as a whole, so use warn or fail'
        : undefined,
  })
  .default('fail');

/** `min` and/or `max` must be given, in order. */
function checkBounds(ruleType: string) {
  return (rule: { min?: number; max?: number }, ctx: z.RefinementCtx) => {
    if (rule.min === undefined && rule.max === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['min'],
        message: `a ${ruleType} rule needs \`min\`, \`max\` or both`,
      });
    }
    if (
      rule.min !== undefined &&
      rule.max !== undefined &&
      rule.min > rule.max
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['max'],
        message: '`max` must not be smaller than `min`',
      });
    }
  };
}

export const completenessRuleSchema = z
  .strictObject({
    type: z.literal('completeness'),
    ...ROW_RULE_FIELDS,
    columns: identifierList('column').describe('Columns that must not be NULL'),
  })
  .transform(withThresholdDefault);

export const rangeRuleSchema = z
  .strictObject({
    type: z.literal('range'),
    ...ROW_RULE_FIELDS,
    columns: identifierList('column'),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .transform(withThresholdDefault)
  .superRefine(checkBounds('range'));

/** Regex features RE2 (DuckDB) lacks; Spark's Java regexes have them, so they would diverge. */
const NON_PORTABLE_REGEX = /\\[1-9]|\(\?<?[=!]/;

export const patternRuleSchema = z
  .strictObject({
    type: z.literal('pattern'),
    ...ROW_RULE_FIELDS,
    columns: identifierList('column'),
    pattern: z
      .string()
      .min(1)
      .max(500)
      .superRefine((pattern, ctx) => {
        if (NON_PORTABLE_REGEX.test(pattern)) {
          ctx.addIssue({
            code: 'custom',
            message:
              'back-references and look-arounds are not supported: Spark and DuckDB evaluate them differently',
          });
          return;
        }
        try {
          // eslint-disable-next-line no-new
          new RegExp(pattern, 'u');
        } catch (error) {
          ctx.addIssue({
            code: 'custom',
            message: `not a valid regular expression: ${
              (error as Error).message
            }`,
          });
        }
      })
      .describe(
        'Regular expression each value must match (anywhere; anchor with ^ and $)',
      ),
  })
  .transform(withThresholdDefault);

export const allowedValuesRuleSchema = z
  .strictObject({
    type: z.literal('allowed_values'),
    ...ROW_RULE_FIELDS,
    columns: identifierList('column'),
    values: z
      .array(z.union([z.string().max(1000), z.number(), z.boolean()]))
      .min(1, 'list at least one allowed value')
      .max(1000),
  })
  .transform(withThresholdDefault);

export const expressionRuleSchema = z
  .strictObject({
    type: z.literal('expression'),
    ...ROW_RULE_FIELDS,
    expression: expression({ condition: true }).describe(
      "Condition every row must meet, e.g. amount >= 0 OR status = 'refund'",
    ),
  })
  .transform(withThresholdDefault);

export const uniquenessRuleSchema = z.strictObject({
  type: z.literal('uniqueness'),
  name: ruleName,
  severity: datasetSeverity,
  threshold: z.number().min(0).max(1).default(1),
  columns: identifierList('column').describe(
    'Together these columns identify a row; the share of distinct values is measured',
  ),
});

export const freshnessRuleSchema = z.strictObject({
  type: z.literal('freshness'),
  name: ruleName,
  severity: datasetSeverity,
  columns: identifierList('column').describe('Timestamp columns'),
  max_age: duration.describe(
    'The newest value must be at most this old when the run ends, e.g. "24 hours"',
  ),
});

export const rowCountRuleSchema = z
  .strictObject({
    type: z.literal('row_count'),
    name: ruleName,
    severity: datasetSeverity,
    min: z.int().min(0).optional(),
    max: z.int().min(0).optional(),
  })
  .superRefine(checkBounds('row_count'));

export const qualityRuleSchema = z.discriminatedUnion('type', [
  completenessRuleSchema,
  uniquenessRuleSchema,
  rangeRuleSchema,
  patternRuleSchema,
  allowedValuesRuleSchema,
  freshnessRuleSchema,
  rowCountRuleSchema,
  expressionRuleSchema,
]);
