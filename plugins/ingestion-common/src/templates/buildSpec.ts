/**
 * From template answers to a pipeline spec: what the `ingestion:pipeline:create` action does with
 * the spec a template renders, and what the cost review field does with the same mapping in the
 * browser, so the estimate shown before Create is for the spec Create writes.
 */

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
    (isPlainObject(value) && Object.keys(value).length === 0)
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Removes what an unanswered form field leaves behind: empty strings and nulls, and objects and
 * lists that held nothing else (a dedupe's `order_by: [{ column: '' }]`). Keys keep their order,
 * so the spec reads as the template wrote it.
 */
function clean(value: unknown, key?: string): unknown {
  if (typeof value === 'string') {
    return value.trim() === '' ? undefined : value;
  }
  if (value === null || value === undefined) {
    return undefined;
  }
  if (Array.isArray(value)) {
    const conditional = key !== undefined && CONDITIONAL_LISTS.has(key);
    const items = value
      .filter(
        item =>
          !(
            conditional &&
            isPlainObject(item) &&
            'if' in item &&
            isFalsy(item.if)
          ),
      )
      .map(item => {
        if (conditional && isPlainObject(item)) {
          const { if: _if, ...rest } = item;
          return clean(rest);
        }
        return clean(item);
      })
      .filter(item => item !== undefined);
    return items.length === 0 && value.length > 0 ? undefined : items;
  }
  if (isPlainObject(value)) {
    const result: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const cleaned = clean(v, k);
      if (cleaned !== undefined) {
        result[k] = cleaned;
      }
    }
    return Object.keys(result).length === 0 && Object.keys(value).length > 0
      ? undefined
      : result;
  }
  return value;
}

/**
 * Defaults that come from the organization rather than from the user.
 *
 * @public
 */
export interface SpecDefaults {
  /** The organization's Iceberg catalog, for Iceberg targets and sources that name none. */
  icebergCatalog: string;
}

/**
 * Builds a pipeline spec from what a template passes: the spec as the template wrote it from the
 * user's answers, with unanswered fields left out, list items whose `if` is false left out, and the
 * organization's defaults filled in. Returns the applied defaults so they can be shown.
 *
 * @public
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

/**
 * `${{ parameters.a }}`, `${{ parameters.a | length > 0 }}`, `${{ parameters.a if parameters.b }}`
 * or `${{ parameters.a if parameters.b == 'x' }}` (also `!=`): the subset of the scaffolder's
 * template syntax a template's spec mapping may use, so the browser can resolve it too.
 */
const EXPRESSION =
  /^\s*parameters\.([A-Za-z_$][\w$]*)(\s*\|\s*length\s*>\s*0)?(?:\s+if\s+parameters\.([A-Za-z_$][\w$]*)(?:\s*(==|!=)\s*(?:'([^']*)'|"([^"]*)"))?)?\s*$/;
const PLACEHOLDER = /\$\{\{([^}]*)\}\}/g;

function evaluate(
  expression: string,
  parameters: Record<string, unknown>,
): unknown {
  const match = EXPRESSION.exec(expression);
  if (!match) {
    throw new Error(
      `Unsupported expression \${{${expression}}}: a spec mapping may use parameters.<name>, optionally with "| length > 0", "if parameters.<name>" or "if parameters.<name> == '<value>'"`,
    );
  }
  const [, name, nonEmpty, condition, operator, single, double] = match;
  if (condition !== undefined) {
    const actual = parameters[condition];
    let holds: boolean;
    if (operator) {
      const equal = String(actual ?? '') === (single ?? double);
      holds = operator === '==' ? equal : !equal;
    } else {
      holds = !isFalsy(actual);
    }
    // The scaffolder renders a false inline `if` without `else` as an empty string.
    if (!holds) return '';
  }
  // As the scaffolder's templates: a missing answer has length 0.
  return nonEmpty ? !isFalsy(parameters[name]) : parameters[name];
}

/**
 * Resolves a template's spec mapping against the form's answers, as the scaffolder renders it: a
 * value that is one `${{ … }}` keeps the answer's type, text around placeholders makes a string.
 * Only the subset of expressions in {@link EXPRESSION} is understood; anything else throws, so a
 * template cannot show an estimate for a spec other than the one Create builds.
 *
 * @public
 */
export function resolveTemplateValues(
  mapping: unknown,
  parameters: Record<string, unknown>,
): unknown {
  if (typeof mapping === 'string') {
    const whole = /^\$\{\{([^}]*)\}\}$/.exec(mapping.trim());
    if (whole) {
      return evaluate(whole[1], parameters);
    }
    return mapping.replace(PLACEHOLDER, (_all, expression: string) => {
      const value = evaluate(expression, parameters);
      return value === undefined || value === null ? '' : String(value);
    });
  }
  if (Array.isArray(mapping)) {
    return mapping.map(item => resolveTemplateValues(item, parameters));
  }
  if (isPlainObject(mapping)) {
    return Object.fromEntries(
      Object.entries(mapping).map(([k, v]) => [
        k,
        resolveTemplateValues(v, parameters),
      ]),
    );
  }
  return mapping;
}
