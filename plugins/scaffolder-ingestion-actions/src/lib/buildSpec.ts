import { InputError } from '@backstage/errors';
import {
  validatePipelineSpec,
  type PipelineSpec,
  type SpecProblem,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/** Lists in the spec whose items a template may switch on and off with `if`. */
const CONDITIONAL_LISTS = new Set(['transformations', 'data_quality']);

function isFalsy(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === false ||
    value === 0 ||
    value === '' ||
    value === 'false' ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' &&
      !Array.isArray(value) &&
      Object.keys(value as object).length === 0)
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Removes what an unanswered form field leaves behind: empty strings and nulls. Keys keep their
 * order, so the spec reads as the template wrote it.
 */
function clean(value: unknown, key?: string): unknown {
  if (typeof value === 'string') {
    return value.trim() === '' ? undefined : value;
  }
  if (value === null || value === undefined) {
    return undefined;
  }
  if (Array.isArray(value)) {
    const items = value
      .filter(
        item =>
          !(
            key &&
            CONDITIONAL_LISTS.has(key) &&
            isPlainObject(item) &&
            'if' in item &&
            isFalsy(item.if)
          ),
      )
      .map(item => {
        if (key && CONDITIONAL_LISTS.has(key) && isPlainObject(item)) {
          const { if: _if, ...rest } = item;
          return clean(rest);
        }
        return clean(item);
      })
      .filter(item => item !== undefined);
    return items;
  }
  if (isPlainObject(value)) {
    const result: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const cleaned = clean(v, k);
      if (cleaned !== undefined) {
        result[k] = cleaned;
      }
    }
    return result;
  }
  return value;
}

/** Defaults that come from the organization rather than from the user. */
export interface SpecDefaults {
  /** The organization's Iceberg catalog, for Iceberg targets and sources that name none. */
  icebergCatalog: string;
}

/**
 * Builds a pipeline spec from what a template passes: the spec as the template wrote it from the
 * user's answers, with unanswered fields left out, list items whose `if` is false left out, and the
 * organization's defaults filled in. Returns the applied defaults so they can be shown.
 */
export function buildSpecInput(
  input: Record<string, unknown>,
  defaults: SpecDefaults,
): { spec: Record<string, unknown>; applied: string[] } {
  const spec = (clean(input) ?? {}) as Record<string, unknown>;
  const applied: string[] = [];
  const withCatalog = (section: 'source' | 'target') => {
    const part = spec[section];
    if (isPlainObject(part) && part.type === 'iceberg' && !part.catalog) {
      // Keep `type` first: insert the catalog right after it.
      const { type, ...rest } = part;
      spec[section] = { type, catalog: defaults.icebergCatalog, ...rest };
      applied.push(`${section}.catalog: ${defaults.icebergCatalog}`);
    }
  };
  withCatalog('source');
  withCatalog('target');
  return { spec, applied };
}

/** The spec's problems as one input error, every problem on its own line with its path. */
export function specProblemsError(problems: SpecProblem[]): InputError {
  const lines = problems.map(p =>
    `- spec.${p.path || '(root)'}: ${p.message}`.replace('spec.(root)', 'spec'),
  );
  return new InputError(
    `The pipeline spec has ${problems.length} problem${
      problems.length === 1 ? '' : 's'
    }:\n${lines.join('\n')}`,
  );
}

/**
 * Validates a built spec, reporting every problem at once.
 *
 * @throws InputError listing each problem as `spec.<path>: <message>`.
 */
export function requireValidSpec(spec: unknown): PipelineSpec {
  const result = validatePipelineSpec(spec);
  if (!result.valid) {
    throw specProblemsError(result.problems);
  }
  return result.spec;
}
