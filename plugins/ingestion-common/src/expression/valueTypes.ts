/**
 * The static type of an expression as far as it can be known without a table schema:
 * column references are `unknown` and are accepted wherever a value is expected.
 * @public
 */
export type ValueType =
  | 'boolean'
  | 'number'
  | 'string'
  | 'date'
  | 'timestamp'
  | 'null'
  | 'unknown';

/** What a function parameter accepts; `temporal` is a date or a timestamp. */
export type ParamType = 'boolean' | 'number' | 'string' | 'temporal' | 'any';

/** True when a value of type `actual` may be passed where `expected` is required. */
export function accepts(expected: ParamType, actual: ValueType): boolean {
  if (expected === 'any' || actual === 'unknown' || actual === 'null') {
    return true;
  }
  if (expected === 'temporal') {
    return actual === 'date' || actual === 'timestamp';
  }
  return expected === actual;
}

/** True when `a` and `b` can be compared with `=`, `<`, `IN`, `BETWEEN`. */
export function comparable(a: ValueType, b: ValueType): boolean {
  if (a === b || [a, b].some(t => t === 'unknown' || t === 'null')) {
    return true;
  }
  const temporalOrText = new Set<ValueType>(['date', 'timestamp', 'string']);
  // Dates compare with timestamps and with ISO strings ('2024-01-31') in both engines.
  return temporalOrText.has(a) && temporalOrText.has(b);
}

/** The type two branches of a CASE have in common, or undefined when they conflict. */
export function commonType(a: ValueType, b: ValueType): ValueType | undefined {
  if (a === b || b === 'null') {
    return a;
  }
  if (a === 'null') {
    return b;
  }
  if (a === 'unknown' || b === 'unknown') {
    return 'unknown';
  }
  if (
    (a === 'date' && b === 'timestamp') ||
    (a === 'timestamp' && b === 'date')
  ) {
    return 'timestamp';
  }
  return undefined;
}

/** `a number`, `a string`, ... for messages. */
export function describeType(type: ValueType | ParamType): string {
  const names: Record<ValueType | ParamType, string> = {
    boolean: 'a true/false value',
    number: 'a number',
    string: 'a string',
    date: 'a date',
    timestamp: 'a timestamp',
    temporal: 'a date or timestamp',
    null: 'NULL',
    unknown: 'a value',
    any: 'a value',
  };
  return names[type];
}
