import {
  columnTypeInSchema,
  cursorKindOfType,
  cursorKindOfValue,
  watermarkProblem,
} from './watermark';

describe('cursor kinds', () => {
  it.each([
    ['long', 'integer'],
    ['BIGINT', 'integer'],
    ['int', 'integer'],
    ['decimal(18, 2)', 'decimal'],
    ['DOUBLE', 'decimal'],
    ['timestamp', 'timestamp'],
    ['timestamptz', 'timestamp'],
    ['TIMESTAMP WITH TIME ZONE', 'timestamp'],
    ['date', 'date'],
    ['VARCHAR', 'text'],
    ['string', 'text'],
    ['struct', undefined],
  ])('%s is %s', (type, kind) => {
    expect(cursorKindOfType(type)).toBe(kind);
  });

  it.each([
    ['42', 'integer'],
    ['42.5', 'decimal'],
    ['2026-11-23 23:59:00', 'timestamp'],
    ['2026-11-23T23:59:00.123456', 'timestamp'],
    ['2026-11-23', 'date'],
    ['abc', undefined],
  ])('a recorded mark %s shows %s', (value, kind) => {
    expect(cursorKindOfValue(value)).toBe(kind);
  });

  it('finds a column in a recorded schema, whatever its case', () => {
    const schema = {
      fields: [{ id: 1, name: 'Updated_At', type: 'timestamp' }],
    };
    expect(columnTypeInSchema(schema, 'updated_at')).toBe('timestamp');
    expect(columnTypeInSchema(schema, 'id')).toBeUndefined();
    expect(columnTypeInSchema(undefined, 'id')).toBeUndefined();
  });
});

describe('watermarkProblem', () => {
  it('accepts ISO 8601 dates and date-times for timestamps', () => {
    for (const value of [
      '2026-11-23T00:00:00Z',
      '2026-11-23 23:59:00',
      '2026-11-23T10:00:00.5+01:00',
      '2026-11-23',
    ]) {
      expect(
        watermarkProblem(value, 'updated_at', 'timestamp'),
      ).toBeUndefined();
    }
  });

  it('refuses what is not a date-time for a timestamp cursor, with an example', () => {
    for (const value of [
      'yesterday',
      '1024',
      '2026-02-30',
      '2026-11-23T25:00:00',
    ]) {
      expect(watermarkProblem(value, 'updated_at', 'timestamp')).toBe(
        `\`${value}\` does not fit the cursor column \`updated_at\` (timestamp): write an ISO 8601 date-time such as 2026-11-23T00:00:00Z`,
      );
    }
  });

  it('takes integers only for integer cursors', () => {
    expect(watermarkProblem('1024', 'id', 'integer')).toBeUndefined();
    expect(watermarkProblem('-7', 'id', 'integer')).toBeUndefined();
    expect(watermarkProblem('10.5', 'id', 'integer')).toMatch(/an integer/);
    expect(watermarkProblem('2026-11-23', 'id', 'integer')).toMatch(
      /\(integer\)/,
    );
  });

  it('takes dates only for date cursors', () => {
    expect(watermarkProblem('2026-11-23', 'day', 'date')).toBeUndefined();
    expect(watermarkProblem('2026-11-23T00:00:00Z', 'day', 'date')).toMatch(
      /date/,
    );
  });

  it('accepts an integer or a date-time while the type is not known', () => {
    expect(watermarkProblem('1024', 'c', undefined)).toBeUndefined();
    expect(
      watermarkProblem('2026-11-23T00:00:00Z', 'c', undefined),
    ).toBeUndefined();
    expect(watermarkProblem("1' OR '1'='1", 'c', undefined)).toMatch(
      /is neither an integer nor an ISO 8601 date or date-time/,
    );
  });

  it('refuses empty values and control characters whatever the type', () => {
    expect(watermarkProblem(' ', 'c', 'text')).toMatch(/must not be empty/);
    expect(watermarkProblem('a\nb', 'c', 'text')).toMatch(/control characters/);
    expect(watermarkProblem('EU-42', 'c', 'text')).toBeUndefined();
  });
});
