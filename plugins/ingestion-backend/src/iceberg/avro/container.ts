import { randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { Type, types } from 'avsc';

/**
 * Avro object container files (Avro spec, "Object Container Files"), written
 * by hand around avsc's record encoding. Why not avsc's own file encoder: it
 * re-emits the schema without the `field-id` attributes Iceberg requires, and
 * its longs are limited to 53 bits.
 */

/** An Avro schema as JSON, including Iceberg's extra attributes. */
export type AvroSchema = Record<string, unknown>;

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]); // "Obj" 1
const SYNC_SIZE = 16;

/** Avro longs as JS BigInt (Iceberg ids and sizes are 64-bit). */
const bigIntLong = types.LongType.__with({
  fromBuffer: (buffer: Buffer) => buffer.readBigInt64LE(),
  toBuffer: (value: bigint | number) => {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64LE(BigInt(value));
    return buffer;
  },
  fromJSON: (value: number | string) => BigInt(value),
  toJSON: (value: bigint) => Number(value),
  isValid: (value: unknown) =>
    typeof value === 'bigint' ||
    (typeof value === 'number' && Number.isSafeInteger(value)),
  compare: (a: bigint, b: bigint) => {
    if (a === b) {
      return 0;
    }
    return a < b ? -1 : 1;
  },
});

const headerMetadataType = Type.forSchema({ type: 'map', values: 'bytes' });
const longType = Type.forSchema('long');

function recordType(schema: AvroSchema): Type {
  return Type.forSchema(schema as any, { registry: { long: bigIntLong } });
}

/**
 * Encodes records into an Avro container file with the `null` codec. The
 * schema is stored exactly as given, so attributes such as `field-id` stay.
 */
export function encodeAvroContainer(
  schema: AvroSchema,
  records: unknown[],
  metadata: Record<string, string> = {},
): Buffer {
  const type = recordType(schema);
  const sync = randomBytes(SYNC_SIZE);
  const header = Buffer.concat([
    MAGIC,
    headerMetadataType.toBuffer({
      ...Object.fromEntries(
        Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v, 'utf8')]),
      ),
      'avro.schema': Buffer.from(JSON.stringify(schema), 'utf8'),
      // Readers such as icebird require the codec entry even for `null`.
      'avro.codec': Buffer.from('null', 'utf8'),
    }),
    sync,
  ]);
  if (records.length === 0) {
    return header;
  }
  const block = Buffer.concat(records.map(record => type.toBuffer(record)));
  return Buffer.concat([
    header,
    longType.toBuffer(records.length),
    longType.toBuffer(block.length),
    block,
    sync,
  ]);
}

/** A decoded Avro container file. */
export interface AvroContainer<T> {
  schema: AvroSchema;
  metadata: Record<string, string>;
  records: T[];
}

/**
 * Decodes an Avro container file written with the `null` or `deflate` codec.
 * Longs are returned as BigInt.
 */
export function decodeAvroContainer<T = Record<string, unknown>>(
  buffer: Buffer,
): AvroContainer<T> {
  if (!buffer.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new Error('Not an Avro container file');
  }
  const { value: rawMetadata, offset: headerEnd } = headerMetadataType.decode(
    buffer,
    MAGIC.length,
  );
  if (headerEnd < 0) {
    throw new Error('Truncated Avro container header');
  }
  const metadata: Record<string, string> = Object.fromEntries(
    Object.entries(rawMetadata as Record<string, Buffer>).map(([k, v]) => [
      k,
      v.toString('utf8'),
    ]),
  );
  const codec = metadata['avro.codec'] ?? 'null';
  if (codec !== 'null' && codec !== 'deflate') {
    throw new Error(`Unsupported Avro codec '${codec}'`);
  }
  const schema = JSON.parse(metadata['avro.schema']) as AvroSchema;
  const type = recordType(schema);
  const sync = buffer.subarray(headerEnd, headerEnd + SYNC_SIZE);

  const records: T[] = [];
  let offset = headerEnd + SYNC_SIZE;
  while (offset < buffer.length) {
    const count = longType.decode(buffer, offset);
    const size = longType.decode(buffer, count.offset);
    const start = size.offset;
    const end = start + size.value;
    const raw = buffer.subarray(start, end);
    const block = codec === 'deflate' ? inflateRawSync(raw) : raw;
    let position = 0;
    for (let i = 0; i < count.value; i++) {
      const decoded = type.decode(block, position);
      records.push(decoded.value as T);
      position = decoded.offset;
    }
    if (!buffer.subarray(end, end + SYNC_SIZE).equals(sync)) {
      throw new Error('Avro block sync marker mismatch');
    }
    offset = end + SYNC_SIZE;
  }
  return { schema, metadata, records };
}
