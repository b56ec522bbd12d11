import { pipelineSpecJsonSchema } from './jsonSchema';

type Schema = Record<string, any>;

const typesOf = (union: Schema) =>
  (union.oneOf ?? union.anyOf).map(
    (option: Schema) => option.properties.type.const,
  );

describe('pipelineSpecJsonSchema', () => {
  const schema: Schema = pipelineSpecJsonSchema();

  it('is a closed draft 2020-12 object schema with the spec’s sections', () => {
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: 'Ingestion pipeline spec',
      type: 'object',
      additionalProperties: false,
      required: ['pipeline_type', 'source', 'target'],
    });
    expect(Object.keys(schema.properties)).toEqual([
      'version',
      'pipeline_type',
      'schedule',
      'trigger',
      'source',
      'transformations',
      'target',
      'data_quality',
    ]);
  });

  it('offers every source, transform, target and rule type', () => {
    const { source, transformations, target, data_quality } = schema.properties;
    expect(typesOf(source)).toEqual([
      'mysql',
      'mariadb',
      'postgres',
      'file',
      'kafka',
      'http',
      'iceberg',
    ]);
    expect(typesOf(transformations.items)).toEqual([
      'filter',
      'select',
      'rename',
      'cast',
      'derive',
      'aggregate',
      'window',
      'dedupe',
      'join',
      'mask',
    ]);
    expect(typesOf(target)).toEqual(['iceberg', 'delta', 'parquet']);
    expect(typesOf(data_quality.items)).toEqual([
      'completeness',
      'uniqueness',
      'range',
      'pattern',
      'allowed_values',
      'freshness',
      'row_count',
      'expression',
    ]);
  });

  it('describes the spec as written: short forms, defaults and name patterns', () => {
    const mysql = schema.properties.source.oneOf[0];
    expect(mysql.required).toEqual(['type', 'connection', 'table']);
    expect(mysql.properties.table.pattern).toBe(
      '^[A-Za-z_][A-Za-z0-9_]{0,127}$',
    );
    expect(schema.properties.schedule.anyOf[0]).toEqual({ type: 'string' });
    const aggregate = schema.properties.transformations.items.oneOf[5];
    expect(
      aggregate.properties.aggregations.additionalProperties.anyOf[0].enum,
    ).toContain('count_distinct');
    const completeness = schema.properties.data_quality.items.oneOf[0];
    expect(completeness.properties.severity.default).toBe('fail');
  });

  it('describes streaming from files: the trigger, the files’ columns and the checkpoint', () => {
    expect(schema.properties.trigger).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['interval'],
    });
    const file = schema.properties.source.oneOf[3];
    expect(Object.keys(file.properties)).toEqual(
      expect.arrayContaining(['columns', 'max_files_per_trigger']),
    );
    expect(file.properties.max_files_per_trigger).toMatchObject({
      type: 'integer',
      minimum: 1,
    });
    const iceberg = schema.properties.target.oneOf[0];
    expect(iceberg.properties.checkpoint.description).toMatch(
      /^streaming only/,
    );
  });

  it('serialises to plain JSON', () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});
