import { quoteSparkIdentifier } from '../python';

/** Spark SQL type names accepted from specs, by lower-case alias. */
const SIMPLE_TYPES: Readonly<Record<string, string>> = {
  string: 'string',
  varchar: 'string',
  text: 'string',
  int: 'int',
  integer: 'int',
  smallint: 'smallint',
  tinyint: 'tinyint',
  bigint: 'bigint',
  long: 'bigint',
  float: 'float',
  double: 'double',
  boolean: 'boolean',
  bool: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
  timestamp_ntz: 'timestamp_ntz',
  binary: 'binary',
};

/**
 * Maps a spec column type to a Spark SQL type name. Only known types (and `decimal(p,s)`) are accepted, so a
 * type string can never carry anything else into `cast()` or a schema.
 */
export function sparkType(type: string): string {
  const normalized = type.trim().toLowerCase();
  const simple = SIMPLE_TYPES[normalized];
  if (simple) {
    return simple;
  }
  const decimal = /^decimal\s*\(\s*(\d{1,2})\s*(?:,\s*(\d{1,2})\s*)?\)$/.exec(normalized);
  if (decimal && Number(decimal[1]) <= 38 && Number(decimal[2] ?? 0) <= Number(decimal[1])) {
    return `decimal(${decimal[1]},${decimal[2] ?? 0})`;
  }
  if (normalized === 'decimal') {
    return 'decimal(38,18)';
  }
  throw new Error(`Unsupported column type "${type}"`);
}

/** A Spark DDL schema string (`` `id` bigint, `name` string ``) from named, typed columns. */
export function sparkSchemaDdl(columns: ReadonlyArray<{ name: string; type: string }>): string {
  return columns.map(c => `${quoteSparkIdentifier(c.name)} ${sparkType(c.type)}`).join(', ');
}
