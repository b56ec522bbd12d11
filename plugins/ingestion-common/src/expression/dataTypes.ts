import type { DataType, SimpleDataTypeName } from './ast';
import type { ValueType } from './valueTypes';

/** Canonical type names, and the aliases accepted for them, in `CAST(x AS type)` and casts in the spec. */
const TYPE_NAME_ALIASES: Record<string, DataType['name']> = {
  string: 'string',
  varchar: 'string',
  text: 'string',
  int: 'int',
  integer: 'int',
  bigint: 'bigint',
  long: 'bigint',
  double: 'double',
  float: 'float',
  boolean: 'boolean',
  bool: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
  decimal: 'decimal',
  numeric: 'decimal',
};

const VALUE_TYPES: Record<DataType['name'], ValueType> = {
  string: 'string',
  int: 'number',
  bigint: 'number',
  double: 'number',
  float: 'number',
  decimal: 'number',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
};

/** The largest decimal precision both Spark and DuckDB support. */
export const MAX_DECIMAL_PRECISION = 38;

/**
 * The canonical names of the data types of the allow-list.
 * @public
 */
export const DATA_TYPE_NAMES: ReadonlyArray<DataType['name']> = Object.keys(
  VALUE_TYPES,
) as DataType['name'][];

/**
 * Resolves a type name (case-insensitive, aliases allowed) and its parameters to a
 * {@link DataType}, or explains what is wrong.
 */
export function resolveDataType(
  name: string,
  params: number[],
): { ok: true; type: DataType } | { ok: false; message: string } {
  const canonical = TYPE_NAME_ALIASES[name.toLowerCase()];
  if (!canonical) {
    return {
      ok: false,
      message: `unknown type \`${name}\`; allowed types: ${DATA_TYPE_NAMES.join(
        ', ',
      )}`,
    };
  }
  if (canonical !== 'decimal') {
    if (params.length > 0) {
      return {
        ok: false,
        message: `type \`${canonical}\` takes no parameters`,
      };
    }
    return { ok: true, type: { name: canonical as SimpleDataTypeName } };
  }
  // Spark and DuckDB disagree on the default precision of a bare DECIMAL, so it must be explicit.
  const [precision, scale = 0] = params;
  if (params.length > 2) {
    return { ok: false, message: 'decimal takes a precision and a scale' };
  }
  if (precision === undefined) {
    return {
      ok: false,
      message: 'decimal needs a precision, e.g. decimal(18, 2)',
    };
  }
  if (
    !Number.isInteger(precision) ||
    precision < 1 ||
    precision > MAX_DECIMAL_PRECISION
  ) {
    return {
      ok: false,
      message: `decimal precision must be an integer from 1 to ${MAX_DECIMAL_PRECISION}`,
    };
  }
  if (!Number.isInteger(scale) || scale < 0 || scale > precision) {
    return {
      ok: false,
      message: `decimal scale must be an integer from 0 to the precision (${precision})`,
    };
  }
  return { ok: true, type: { name: 'decimal', precision, scale } };
}

/** The value type a cast to `type` produces. */
export function valueTypeOfDataType(type: DataType): ValueType {
  return VALUE_TYPES[type.name];
}

/**
 * The canonical text of a data type, e.g. `decimal(18, 2)`; parsing it gives the same type.
 * @public
 */
export function formatDataType(type: DataType): string {
  return type.name === 'decimal'
    ? `decimal(${type.precision}, ${type.scale})`
    : type.name;
}
