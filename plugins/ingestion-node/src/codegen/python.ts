/**
 * Safe rendering of values into Python source and Spark identifiers.
 *
 * Everything user-controlled (column names, table names, paths, option values) reaches the generated notebook
 * only through these helpers, so a hostile name can never break out of a string literal or an identifier.
 */

/**
 * Renders a string as a double-quoted Python string literal.
 *
 * Only printable ASCII is emitted verbatim; everything else is escaped by code point (`\xHH`, `\uHHHH`,
 * `\UHHHHHHHH`). Unlike `JSON.stringify`, astral characters become a single `\U` escape (JSON's surrogate pairs
 * would decode to two lone surrogates in Python), and the output stays ASCII so it survives any notebook
 * encoding and can never contain a line break.
 */
export function pyStr(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') {
      out += `\\${ch}`;
    } else if (ch === '\n') {
      out += '\\n';
    } else if (ch === '\r') {
      out += '\\r';
    } else if (ch === '\t') {
      out += '\\t';
    } else if (cp >= 0x20 && cp < 0x7f) {
      out += ch;
    } else if (cp < 0x100) {
      out += `\\x${hex(cp, 2)}`;
    } else if (cp < 0x10000) {
      out += `\\u${hex(cp, 4)}`;
    } else {
      out += `\\U${hex(cp, 8)}`;
    }
  }
  return `${out}"`;
}

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}

/** A JSON-like value that can be rendered as a Python literal. */
export type PyValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly PyValue[]
  | { readonly [key: string]: PyValue };

/**
 * Renders a JSON-like value as a Python literal (`None`, `True`, lists, dicts with string keys).
 * Object keys keep their insertion order, so callers control the output order; `undefined` entries are skipped.
 */
export function pyLiteral(value: PyValue): string {
  if (value === null || value === undefined) {
    return 'None';
  }
  if (typeof value === 'string') {
    return pyStr(value);
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new Error(
        `Cannot render non-finite number ${value} as a Python literal`,
      );
    }
    return String(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map(v => pyLiteral(v)).join(', ')}]`;
  }
  const entries = Object.entries(value as Record<string, PyValue>).filter(
    ([, v]) => v !== undefined,
  );
  return `{${entries
    .map(([k, v]) => `${pyStr(k)}: ${pyLiteral(v)}`)
    .join(', ')}}`;
}

const SIMPLE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Quotes one Spark SQL identifier part with backticks (doubling embedded backticks). */
export function quoteSparkIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/**
 * The column reference string for Spark APIs that parse names (`F.col`, `dropDuplicates`, `partitionBy`):
 * plain identifiers stay readable, anything else is backtick-quoted so a dot or space is not read as a path.
 */
export function sparkColumnRef(name: string): string {
  return SIMPLE_IDENTIFIER.test(name) ? name : quoteSparkIdentifier(name);
}

/** `F.col("name")` with the name quoted for Spark and escaped for Python. */
export function pyCol(name: string): string {
  return `F.col(${pyStr(sparkColumnRef(name))})`;
}

/** A fully backtick-quoted multi-part table name, e.g. `` `cat`.`schema`.`table` ``. */
export function sparkTableName(parts: readonly string[]): string {
  return parts.map(quoteSparkIdentifier).join('.');
}

/**
 * Makes free text safe for a single-line Python comment: line terminators (including the Unicode ones editors
 * honour) become spaces.
 */
export function commentText(text: string): string {
  return text.replace(/[\r\n\u2028\u2029\u0085\f\v]+/g, ' ').trim();
}
