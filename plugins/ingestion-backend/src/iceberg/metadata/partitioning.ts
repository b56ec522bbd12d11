import { InputError } from '@backstage/errors';
import {
  IcebergField,
  IcebergPartitionField,
  IcebergPartitionSpec,
  IcebergSchema,
} from '../types';
import { findByName } from './schema';

/**
 * Identity partitioning: specs, partition values in the form the Avro
 * manifests store them, and the per-manifest partition summaries.
 */

/** Partition field ids start here (Iceberg's convention). */
const FIRST_PARTITION_FIELD_ID = 1000;

/** Source types an identity partition may have here. */
const PARTITIONABLE_TYPES = new Set([
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'date',
  'timestamp',
  'timestamptz',
  'string',
  'binary',
]);

/**
 * A partition value as stored in a manifest: boolean, number (int, float,
 * double, date as days), bigint (long, timestamps as microseconds), string,
 * Buffer (binary) or null.
 */
export type PartitionValue = boolean | number | bigint | string | Buffer | null;

/** A partition field with the schema field it is derived from. */
export interface BoundPartitionField {
  field: IcebergPartitionField;
  source: IcebergField;
  /** Iceberg type of the values (identity: the source type). */
  type: string;
}

/** The unpartitioned spec. */
export function unpartitionedSpec(): IcebergPartitionSpec {
  return { 'spec-id': 0, fields: [] };
}

/** The highest partition field id a spec uses (999 when unpartitioned). */
export function lastPartitionId(spec: IcebergPartitionSpec): number {
  return Math.max(
    FIRST_PARTITION_FIELD_ID - 1,
    ...spec.fields.map(f => f['field-id']),
  );
}

/** Resolves a spec's fields against a schema. */
export function bindPartitionSpec(
  spec: IcebergPartitionSpec,
  schema: IcebergSchema,
): BoundPartitionField[] {
  return spec.fields.map(field => {
    const source = schema.fields.find(f => f.id === field['source-id']);
    if (!source) {
      throw new Error(
        `Partition field '${field.name}' refers to missing column id ${field['source-id']}`,
      );
    }
    if (field.transform !== 'identity') {
      throw new InputError(
        `Partition transform '${field.transform}' of '${field.name}' is not supported; only identity partitions are`,
      );
    }
    return { field, source, type: String(source.type) };
  });
}

/**
 * An identity partition spec over the named columns. Decimal columns are
 * refused: their Avro form (`fixed`) is not readable by every reader.
 */
export function identityPartitionSpec(
  schema: IcebergSchema,
  columns: string[],
): IcebergPartitionSpec {
  return {
    'spec-id': 0,
    fields: columns.map((column, index) => {
      const source = findByName(schema.fields, column);
      if (!source) {
        throw new InputError(
          `Partition column '${column}' is not in the input`,
        );
      }
      if (!PARTITIONABLE_TYPES.has(String(source.type))) {
        throw new InputError(
          `Column '${column}' of type ${source.type} cannot be a partition column`,
        );
      }
      return {
        name: source.name,
        transform: 'identity',
        'source-id': source.id,
        'field-id': FIRST_PARTITION_FIELD_ID + index,
      };
    }),
  };
}

/** True when the spec partitions by exactly these columns, by identity. */
export function specMatchesColumns(
  spec: IcebergPartitionSpec,
  schema: IcebergSchema,
  columns: string[],
): boolean {
  const names = spec.fields.map(f => {
    const source = schema.fields.find(s => s.id === f['source-id']);
    return f.transform === 'identity' ? source?.name.toLowerCase() : undefined;
  });
  return (
    names.length === columns.length &&
    columns.every((c, i) => names[i] === c.toLowerCase())
  );
}

/** Avro schema of one partition value (always nullable). */
export function partitionAvroType(type: string): unknown {
  const avroTypes: Record<string, unknown> = {
    boolean: 'boolean',
    int: 'int',
    long: 'long',
    float: 'float',
    double: 'double',
    date: { type: 'int', logicalType: 'date' },
    timestamp: {
      type: 'long',
      logicalType: 'timestamp-micros',
      'adjust-to-utc': false,
    },
    timestamptz: {
      type: 'long',
      logicalType: 'timestamp-micros',
      'adjust-to-utc': true,
    },
    string: 'string',
    binary: 'bytes',
  };
  return ['null', avroTypes[type]];
}

/**
 * A DuckDB expression turning column `quotedColumn` into the manifest form of
 * a partition value (see {@link PartitionValue}).
 */
export function partitionValueSql(type: string, quotedColumn: string): string {
  switch (type) {
    case 'date':
      return `CAST(date_diff('day', DATE '1970-01-01', ${quotedColumn}) AS INTEGER)`;
    case 'timestamp':
    case 'timestamptz':
      return `epoch_us(${quotedColumn})`;
    default:
      return quotedColumn;
  }
}

/** Iceberg's binary single-value serialization (spec Appendix D). */
function serializeBound(type: string, value: PartitionValue): Buffer {
  const buffer = Buffer.alloc(8);
  switch (type) {
    case 'boolean':
      return Buffer.from([value ? 1 : 0]);
    case 'int':
    case 'date':
      buffer.writeInt32LE(Number(value));
      return buffer.subarray(0, 4);
    case 'long':
    case 'timestamp':
    case 'timestamptz':
      buffer.writeBigInt64LE(BigInt(value as bigint));
      return buffer;
    case 'float':
      buffer.writeFloatLE(Number(value));
      return buffer.subarray(0, 4);
    case 'double':
      buffer.writeDoubleLE(Number(value));
      return buffer;
    case 'string':
      return Buffer.from(String(value), 'utf8');
    default:
      return Buffer.from(value as Buffer);
  }
}

function compareValues(type: string, a: PartitionValue, b: PartitionValue) {
  if (type === 'string') {
    // Iceberg orders strings by their UTF-8 bytes.
    return Buffer.compare(Buffer.from(a as string), Buffer.from(b as string));
  }
  if (type === 'binary') {
    return Buffer.compare(a as Buffer, b as Buffer);
  }
  if (a === b) {
    return 0;
  }
  return (a as number) < (b as number) ? -1 : 1;
}

/** A `field_summary` record of a manifest list entry. */
export interface PartitionFieldSummary {
  contains_null: boolean;
  contains_nan: boolean | null;
  lower_bound: Buffer | null;
  upper_bound: Buffer | null;
}

/** Summarizes the partition values of a manifest's files, per field. */
export function summarizePartitions(
  fields: BoundPartitionField[],
  tuples: PartitionValue[][],
): PartitionFieldSummary[] {
  return fields.map(({ type }, index) => {
    const isFloating = type === 'float' || type === 'double';
    let containsNull = false;
    let containsNan = false;
    let lower: PartitionValue = null;
    let upper: PartitionValue = null;
    for (const value of tuples.map(t => t[index])) {
      if (value === null || value === undefined) {
        containsNull = true;
      } else if (isFloating && Number.isNaN(value)) {
        containsNan = true;
      } else {
        if (lower === null || compareValues(type, value, lower) < 0) {
          lower = value;
        }
        if (upper === null || compareValues(type, value, upper) > 0) {
          upper = value;
        }
      }
    }
    return {
      contains_null: containsNull,
      contains_nan: isFloating ? containsNan : null,
      lower_bound: lower === null ? null : serializeBound(type, lower),
      upper_bound: upper === null ? null : serializeBound(type, upper),
    };
  });
}
