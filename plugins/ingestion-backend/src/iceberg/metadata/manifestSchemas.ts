import { BoundPartitionField, partitionAvroType } from './partitioning';
import { AvroSchema } from '../avro/container';

/**
 * Avro schemas of Iceberg v2 manifests and manifest lists (Iceberg table spec,
 * "Manifests" and "Manifest Lists"), with the field ids the spec assigns.
 *
 * Every type is written inline and int-keyed maps are arrays of key/value
 * records, because simple readers (icebird) resolve neither named type
 * references nor Avro maps.
 */

function optional(name: string, fieldId: number, type: unknown) {
  return { name, type: ['null', type], default: null, 'field-id': fieldId };
}

function required(name: string, fieldId: number, type: unknown) {
  return { name, type, 'field-id': fieldId };
}

/** Iceberg's `map<int, long>`, stored as an array of key/value records. */
function intLongMap(keyId: number, valueId: number) {
  return {
    type: 'array',
    logicalType: 'map',
    items: {
      type: 'record',
      name: `k${keyId}_v${valueId}`,
      fields: [
        required('key', keyId, 'int'),
        required('value', valueId, 'long'),
      ],
    },
  };
}

/**
 * Avro field names must match `[A-Za-z_][A-Za-z0-9_]*`; other characters are
 * replaced the way Iceberg does it (`_x` and the hex code).
 */
export function avroCompatibleName(name: string): string {
  return Array.from(name, (ch, index) => {
    if (/[A-Za-z_]/.test(ch) || (index > 0 && /[0-9]/.test(ch))) {
      return ch;
    }
    if (/[0-9]/.test(ch)) {
      return `_${ch}`;
    }
    return `_x${ch.codePointAt(0)!.toString(16).toUpperCase()}`;
  }).join('');
}

/** The `manifest_entry` schema for manifests of one partition spec. */
export function manifestEntrySchema(
  partitionFields: BoundPartitionField[],
): AvroSchema {
  const partition = {
    type: 'record',
    name: 'r102',
    fields: partitionFields.map(({ field, type }) => ({
      name: avroCompatibleName(field.name),
      type: partitionAvroType(type),
      default: null,
      'field-id': field['field-id'],
    })),
  };
  const dataFile = {
    type: 'record',
    name: 'r2',
    fields: [
      required('content', 134, 'int'),
      required('file_path', 100, 'string'),
      required('file_format', 101, 'string'),
      required('partition', 102, partition),
      required('record_count', 103, 'long'),
      required('file_size_in_bytes', 104, 'long'),
      optional('column_sizes', 108, intLongMap(117, 118)),
      optional('value_counts', 109, intLongMap(119, 120)),
      optional('null_value_counts', 110, intLongMap(121, 122)),
    ],
  };
  return {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      required('status', 0, 'int'),
      optional('snapshot_id', 1, 'long'),
      optional('sequence_number', 3, 'long'),
      optional('file_sequence_number', 4, 'long'),
      required('data_file', 2, dataFile),
    ],
  };
}

/** The `manifest_file` schema of manifest lists. */
export const MANIFEST_LIST_SCHEMA: AvroSchema = {
  type: 'record',
  name: 'manifest_file',
  fields: [
    required('manifest_path', 500, 'string'),
    required('manifest_length', 501, 'long'),
    required('partition_spec_id', 502, 'int'),
    required('content', 517, 'int'),
    required('sequence_number', 515, 'long'),
    required('min_sequence_number', 516, 'long'),
    required('added_snapshot_id', 503, 'long'),
    required('added_files_count', 504, 'int'),
    required('existing_files_count', 505, 'int'),
    required('deleted_files_count', 506, 'int'),
    required('added_rows_count', 512, 'long'),
    required('existing_rows_count', 513, 'long'),
    required('deleted_rows_count', 514, 'long'),
    optional('partitions', 507, {
      type: 'array',
      'element-id': 508,
      items: {
        type: 'record',
        name: 'r508',
        fields: [
          required('contains_null', 509, 'boolean'),
          optional('contains_nan', 518, 'boolean'),
          optional('lower_bound', 510, 'bytes'),
          optional('upper_bound', 511, 'bytes'),
        ],
      },
    }),
  ],
};
