import { UnsupportedColumnTypeError } from '../errors';
import { IcebergTableMetadata } from '../types';
import { unpartitionedSpec } from './partitioning';
import {
  evolveSchema,
  icebergTypeForDuckDb,
  schemaForNewTable,
} from './schema';
import { newTableMetadata } from './tableMetadata';

function tableOf(columns: Array<[string, string]>): IcebergTableMetadata {
  return newTableMetadata({
    location: 'file:///warehouse/t',
    schema: schemaForNewTable(columns.map(([name, type]) => ({ name, type }))),
    spec: unpartitionedSpec(),
  });
}

describe('icebergTypeForDuckDb', () => {
  it.each([
    ['BOOLEAN', 'boolean'],
    ['TINYINT', 'int'],
    ['USMALLINT', 'int'],
    ['INTEGER', 'int'],
    ['UINTEGER', 'long'],
    ['BIGINT', 'long'],
    ['FLOAT', 'float'],
    ['DOUBLE', 'double'],
    ['DECIMAL(38,10)', 'decimal(38,10)'],
    ['DATE', 'date'],
    ['TIMESTAMP_MS', 'timestamp'],
    ['TIMESTAMP WITH TIME ZONE', 'timestamptz'],
    ['VARCHAR', 'string'],
    [`ENUM('a', 'b')`, 'string'],
    ['JSON', 'string'],
    ['BLOB', 'binary'],
  ])('maps %s to %s', (type, expected) => {
    expect(icebergTypeForDuckDb({ name: 'c', type })).toBe(expected);
  });

  it.each([
    'UBIGINT',
    'HUGEINT',
    'TIMESTAMP_NS',
    'TIME',
    'INTERVAL',
    'UUID',
    'MAP(VARCHAR, INTEGER)',
  ])('rejects %s', type => {
    expect(() => icebergTypeForDuckDb({ name: 'c', type })).toThrow(
      UnsupportedColumnTypeError,
    );
  });
});

describe('evolveSchema', () => {
  const table = tableOf([
    ['id', 'INTEGER'],
    ['amount', 'DECIMAL(10,2)'],
    ['ratio', 'DOUBLE'],
  ]);

  it('keeps the schema when the input fits', () => {
    const evolution = evolveSchema(table, [
      { name: 'ID', type: 'SMALLINT' },
      { name: 'amount', type: 'DECIMAL(8,2)' },
      { name: 'ratio', type: 'FLOAT' },
    ]);
    expect(evolution.changed).toBe(false);
    expect(evolution.schema).toBe(table.schemas[0]);
  });

  it('adds new columns with new ids and widens by allowed promotions', () => {
    const evolution = evolveSchema(table, [
      { name: 'id', type: 'BIGINT' },
      { name: 'amount', type: 'DECIMAL(18,2)' },
      { name: 'label', type: 'VARCHAR' },
    ]);
    expect(evolution).toEqual({
      changed: true,
      lastColumnId: 4,
      schema: {
        type: 'struct',
        'schema-id': 1,
        fields: [
          { id: 1, name: 'id', required: false, type: 'long' },
          { id: 2, name: 'amount', required: false, type: 'decimal(18,2)' },
          { id: 3, name: 'ratio', required: false, type: 'double' },
          { id: 4, name: 'label', required: false, type: 'string' },
        ],
      },
    });
  });

  it.each([
    ['id', 'VARCHAR'],
    ['amount', 'DECIMAL(10,3)'],
    ['ratio', 'BIGINT'],
  ])('refuses %s as %s', (name, type) => {
    expect(() => evolveSchema(table, [{ name, type }])).toThrow(
      UnsupportedColumnTypeError,
    );
  });
});
