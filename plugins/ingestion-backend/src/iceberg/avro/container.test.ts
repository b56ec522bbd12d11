import { decodeAvroContainer, encodeAvroContainer } from './container';

const schema = {
  type: 'record',
  name: 'entry',
  fields: [
    { name: 'id', type: 'long', 'field-id': 1 },
    { name: 'note', type: ['null', 'string'], default: null, 'field-id': 2 },
    {
      name: 'sizes',
      'field-id': 3,
      type: {
        type: 'array',
        logicalType: 'map',
        items: {
          type: 'record',
          name: 'k4_v5',
          fields: [
            { name: 'key', type: 'int', 'field-id': 4 },
            { name: 'value', type: 'long', 'field-id': 5 },
          ],
        },
      },
    },
    { name: 'raw', type: 'bytes', 'field-id': 6 },
  ],
};

describe('Avro container files', () => {
  it('round-trips records with 64-bit longs and keeps the schema as written', () => {
    const records = [
      {
        id: 2n ** 62n + 1n,
        note: 'first',
        sizes: [{ key: 1, value: -(2n ** 60n) }],
        raw: Buffer.from([0, 255]),
      },
      { id: 7n, note: null, sizes: [], raw: Buffer.alloc(0) },
    ];

    const file = encodeAvroContainer(schema, records, {
      'format-version': '2',
    });
    const decoded = decodeAvroContainer(file);

    expect(decoded.records).toEqual(records);
    // avsc's own encoder would drop the field-id attributes.
    expect(decoded.schema).toEqual(schema);
    expect(decoded.metadata).toMatchObject({
      'format-version': '2',
      'avro.codec': 'null',
    });
  });

  it('writes a header-only file for no records', () => {
    const decoded = decodeAvroContainer(encodeAvroContainer(schema, []));
    expect(decoded.records).toEqual([]);
  });

  it('rejects other files', () => {
    expect(() => decodeAvroContainer(Buffer.from('PAR1'))).toThrow(
      'Not an Avro container file',
    );
  });
});
