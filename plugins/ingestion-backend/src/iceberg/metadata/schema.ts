import { UnsupportedColumnTypeError } from '../errors';
import {
  IcebergField,
  IcebergPrimitiveType,
  IcebergSchema,
  IcebergTableMetadata,
} from '../types';

/**
 * Type mapping between DuckDB and Iceberg v2, and schema evolution.
 *
 * Supported DuckDB input types and the Iceberg type they become:
 *
 * | DuckDB                                          | Iceberg          |
 * |-------------------------------------------------|------------------|
 * | BOOLEAN                                         | boolean          |
 * | TINYINT, SMALLINT, INTEGER, UTINYINT, USMALLINT | int              |
 * | BIGINT, UINTEGER                                | long             |
 * | FLOAT / DOUBLE                                  | float / double   |
 * | DECIMAL(P,S)                                    | decimal(P,S)     |
 * | DATE                                            | date             |
 * | TIMESTAMP, TIMESTAMP_S, TIMESTAMP_MS            | timestamp        |
 * | TIMESTAMP WITH TIME ZONE                        | timestamptz      |
 * | VARCHAR, JSON, ENUM                             | string           |
 * | BLOB                                            | binary           |
 *
 * Anything else (UBIGINT, HUGEINT, UHUGEINT, TIMESTAMP_NS, TIME, INTERVAL,
 * UUID, BIT, lists, structs, maps, unions, untyped NULL) is rejected with an
 * {@link UnsupportedColumnTypeError} that suggests a cast.
 */

/** A column of the input query, as DuckDB's DESCRIBE reports it. */
export interface InputColumn {
  name: string;
  /** DuckDB type name, for example `DECIMAL(10,2)`. */
  type: string;
}

const DUCKDB_TO_ICEBERG: Record<string, IcebergPrimitiveType> = {
  BOOLEAN: 'boolean',
  TINYINT: 'int',
  SMALLINT: 'int',
  INTEGER: 'int',
  UTINYINT: 'int',
  USMALLINT: 'int',
  BIGINT: 'long',
  UINTEGER: 'long',
  FLOAT: 'float',
  DOUBLE: 'double',
  DATE: 'date',
  TIMESTAMP: 'timestamp',
  TIMESTAMP_S: 'timestamp',
  TIMESTAMP_MS: 'timestamp',
  'TIMESTAMP WITH TIME ZONE': 'timestamptz',
  VARCHAR: 'string',
  JSON: 'string',
  BLOB: 'binary',
};

const ICEBERG_TO_DUCKDB: Record<string, string> = {
  boolean: 'BOOLEAN',
  int: 'INTEGER',
  long: 'BIGINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  timestamptz: 'TIMESTAMPTZ',
  string: 'VARCHAR',
  binary: 'BLOB',
};

const DECIMAL_PATTERN = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/i;

function unsupportedHint(duckdbType: string): string {
  if (/^(UBIGINT|HUGEINT|UHUGEINT|BIGNUM|VARINT)$/.test(duckdbType)) {
    return 'cast it to BIGINT or DECIMAL(38,0)';
  }
  if (duckdbType === 'TIMESTAMP_NS') {
    return 'Iceberg v2 timestamps have microsecond precision: cast it to TIMESTAMP';
  }
  if (/[[\]]|^(STRUCT|MAP|UNION)\(/.test(duckdbType)) {
    return 'nested types are not supported: cast it to VARCHAR (for example with to_json)';
  }
  if (duckdbType === '"NULL"' || duckdbType === 'NULL') {
    return 'the column has no type: cast it, for example NULL::VARCHAR';
  }
  return 'cast it to VARCHAR';
}

/** Maps a DuckDB column type to the Iceberg type it is stored as. */
export function icebergTypeForDuckDb(
  column: InputColumn,
): IcebergPrimitiveType {
  const duckdbType = column.type.trim().toUpperCase();
  const decimal = DECIMAL_PATTERN.exec(duckdbType);
  if (decimal) {
    return `decimal(${Number(decimal[1])},${Number(decimal[2])})`;
  }
  if (duckdbType.startsWith('ENUM(') || duckdbType.startsWith('VARCHAR')) {
    return 'string';
  }
  const mapped = DUCKDB_TO_ICEBERG[duckdbType];
  if (!mapped) {
    throw new UnsupportedColumnTypeError(
      `Column '${column.name}' has DuckDB type ${
        column.type
      }, which has no supported Iceberg v2 type; ${unsupportedHint(
        duckdbType,
      )}`,
    );
  }
  return mapped;
}

/** The DuckDB type that holds values of an Iceberg field. */
export function duckDbTypeForField(field: IcebergField): string {
  const type = typeof field.type === 'string' ? field.type : '';
  const decimal = DECIMAL_PATTERN.exec(type);
  if (decimal) {
    return `DECIMAL(${decimal[1]},${decimal[2]})`;
  }
  const mapped = ICEBERG_TO_DUCKDB[type];
  if (!mapped) {
    throw new UnsupportedColumnTypeError(
      `Table column '${field.name}' has Iceberg type ${JSON.stringify(
        field.type,
      )}, which this writer does not support`,
    );
  }
  return mapped;
}

type Compatibility = 'same' | 'cast' | 'promote' | 'incompatible';

/**
 * How values of `inputType` fit a column of `tableType`: as is, by a lossless
 * cast into the table type, by promoting the table type (one of Iceberg's
 * allowed promotions: int to long, float to double, wider decimal), or not.
 */
function compatibility(tableType: string, inputType: string): Compatibility {
  if (tableType === inputType) {
    return 'same';
  }
  const widening: Record<string, string> = { int: 'long', float: 'double' };
  if (widening[inputType] === tableType) {
    return 'cast';
  }
  if (widening[tableType] === inputType) {
    return 'promote';
  }
  const table = DECIMAL_PATTERN.exec(tableType);
  const input = DECIMAL_PATTERN.exec(inputType);
  if (table && input && table[2] === input[2]) {
    return Number(input[1]) <= Number(table[1]) ? 'cast' : 'promote';
  }
  return 'incompatible';
}

/** The current schema of a table. */
export function currentSchema(metadata: IcebergTableMetadata): IcebergSchema {
  const schema = metadata.schemas.find(
    s => s['schema-id'] === metadata['current-schema-id'],
  );
  if (!schema) {
    throw new Error(
      `Table metadata has no schema with id ${metadata['current-schema-id']}`,
    );
  }
  return schema;
}

/**
 * Finds a column or field by name. Matching ignores case because DuckDB
 * identifiers do; the table keeps its own spelling.
 */
export function findByName<T extends { name: string }>(
  items: T[],
  name: string,
): T | undefined {
  const lower = name.toLowerCase();
  return items.find(item => item.name.toLowerCase() === lower);
}

/** The schema of a new table: ids 1..n in input order, all optional. */
export function schemaForNewTable(columns: InputColumn[]): IcebergSchema {
  return {
    type: 'struct',
    'schema-id': 0,
    fields: columns.map((column, index) => ({
      id: index + 1,
      name: column.name,
      required: false,
      type: icebergTypeForDuckDb(column),
    })),
  };
}

/** The outcome of fitting input columns onto a table's schema. */
export interface SchemaEvolution {
  /** The schema to write with; a new schema id if anything changed. */
  schema: IcebergSchema;
  /** True when `schema` must be added to the table metadata. */
  changed: boolean;
  lastColumnId: number;
}

/**
 * Fits the input columns onto the table's current schema. New columns get new
 * field ids at the end; narrower input types are cast; allowed promotions
 * widen the column; table columns missing from the input stay (written as
 * NULL).
 */
export function evolveSchema(
  metadata: IcebergTableMetadata,
  columns: InputColumn[],
): SchemaEvolution {
  const schema = currentSchema(metadata);
  let lastColumnId = metadata['last-column-id'];
  let changed = false;

  const fields = schema.fields.map(field => {
    const column = findByName(columns, field.name);
    if (!column) {
      return field;
    }
    const inputType = icebergTypeForDuckDb(column);
    const fit = compatibility(String(field.type), inputType);
    if (fit === 'incompatible') {
      throw new UnsupportedColumnTypeError(
        `Column '${field.name}' is ${JSON.stringify(
          field.type,
        )} in the table but ${inputType} (DuckDB ${column.type}) in the input`,
      );
    }
    if (fit === 'promote') {
      changed = true;
      return { ...field, type: inputType };
    }
    return field;
  });

  for (const column of columns) {
    if (!findByName(fields, column.name)) {
      lastColumnId += 1;
      changed = true;
      fields.push({
        id: lastColumnId,
        name: column.name,
        required: false,
        type: icebergTypeForDuckDb(column),
      });
    }
  }

  if (!changed) {
    return { schema, changed, lastColumnId };
  }
  const schemaId = Math.max(...metadata.schemas.map(s => s['schema-id'])) + 1;
  return {
    schema: { ...schema, 'schema-id': schemaId, fields },
    changed,
    lastColumnId,
  };
}
