import { stringify } from 'yaml';
import seedBatch from './__fixtures__/seed-batch.json';
import seedStreaming from './__fixtures__/seed-streaming.json';
import filesStreaming from './__fixtures__/files-streaming.json';
import { PipelineSpec } from './pipelineSpec';
import { SpecProblem } from './problems';
import { parsePipelineSpecText, validatePipelineSpec } from './validate';

type Json = Record<string, any>;

/** A deep copy of `base` with `change` applied, so each case starts from a valid spec. */
function variant(base: Json, change: (spec: Json) => void): Json {
  const spec = structuredClone(base);
  change(spec);
  return spec;
}

const batch = (change: (spec: Json) => void) => variant(seedBatch, change);
const streaming = (change: (spec: Json) => void) =>
  variant(seedStreaming, change);
const fileStream = (change: (spec: Json) => void) =>
  variant(filesStreaming, change);

function problemsOf(input: unknown): SpecProblem[] {
  const result = validatePipelineSpec(input);
  return result.valid ? [] : result.problems;
}

function validSpec(input: unknown): PipelineSpec {
  const result = validatePipelineSpec(input);
  if (!result.valid) {
    throw new Error(JSON.stringify(result.problems, null, 2));
  }
  return result.spec;
}

const fileSource = { type: 'file', path: 'raw/orders/*.csv', format: 'csv' };
const httpSource = { type: 'http', url: 'https://api.example.com/v1/orders' };

describe('validatePipelineSpec: the architecture guide examples', () => {
  it('accepts the batch example as written and applies defaults', () => {
    expect(validSpec(seedBatch)).toEqual({
      version: 1,
      pipeline_type: 'batch',
      schedule: { cron: '0 2 * * *', timezone: 'UTC' },
      source: {
        type: 'mysql',
        connection: 'finance-db',
        table: 'transactions',
        incremental_column: 'updated_at',
      },
      transformations: [
        { type: 'filter', condition: 'amount > 0' },
        {
          type: 'aggregate',
          group_by: ['customer_id', 'date'],
          // `amount: sum` sums amount into amount; `count: count` counts rows.
          aggregations: {
            amount: { function: 'sum', column: 'amount' },
            count: { function: 'count' },
          },
        },
      ],
      target: {
        type: 'iceberg',
        catalog: 'finance_catalog',
        schema: 'analytics',
        table: 'daily_transactions',
        mode: 'append',
      },
      data_quality: [
        {
          type: 'completeness',
          columns: ['customer_id', 'amount'],
          threshold: 0.95,
          severity: 'fail',
        },
      ],
    });
  });

  it('accepts the streaming example as written and applies defaults', () => {
    const spec = validSpec(seedStreaming);
    expect(spec.transformations).toEqual([
      {
        type: 'window',
        window_type: 'tumbling',
        duration: '5 minutes',
        time_column: 'timestamp',
      },
      {
        type: 'aggregate',
        group_by: ['user_id', 'event_type'],
        aggregations: {
          count: { function: 'count' },
          avg_value: { function: 'avg', column: 'avg_value' },
        },
      },
    ]);
    expect(spec.source).toMatchObject({
      starting_offsets: 'latest',
      format: 'json',
    });
    expect(spec.target).toEqual(seedStreaming.target);
    expect(spec.data_quality).toEqual([]);
  });

  it.each([
    ['batch', seedBatch],
    ['streaming', seedStreaming],
  ])('reads the %s example as YAML and as JSON text alike', (_, seed) => {
    const expected = validSpec(seed);
    expect(validSpec(stringify(seed))).toEqual(expected);
    expect(validSpec(JSON.stringify(seed, null, 2))).toEqual(expected);
  });

  it('accepts its own output unchanged, so a stored spec re-validates to itself', () => {
    for (const seed of [seedBatch, seedStreaming]) {
      const once = validSpec(seed);
      expect(validSpec(once)).toEqual(once);
    }
    const everything = validSpec(
      batch(spec => {
        spec.schedule = { cron: '30 6 * * 1-5', timezone: 'Europe/Berlin' };
        spec.transformations.push(
          { type: 'cast', columns: { amount: 'DECIMAL(18,2)' } },
          {
            type: 'join',
            dataset: {
              type: 'postgres',
              connection: 'crm',
              table: 'customers',
            },
            keys: ['customer_id', { left: 'date', right: 'day' }],
          },
          { type: 'mask', columns: ['customer_id'], method: 'partial' },
        );
        spec.data_quality.push({
          type: 'range',
          columns: ['amount'],
          min: 0,
          severity: 'drop',
        });
      }),
    );
    expect(everything.transformations.slice(2)).toEqual([
      { type: 'cast', columns: { amount: 'decimal(18, 2)' } },
      {
        type: 'join',
        dataset: { type: 'postgres', connection: 'crm', table: 'customers' },
        keys: [
          { left: 'customer_id', right: 'customer_id' },
          { left: 'date', right: 'day' },
        ],
        join_type: 'inner',
      },
      { type: 'mask', columns: ['customer_id'], method: 'partial' },
    ]);
    // A drop rule removes failing rows without failing the run unless a threshold says so.
    expect(everything.data_quality[1]).toMatchObject({
      severity: 'drop',
      threshold: 0,
    });
    expect(validSpec(everything)).toEqual(everything);
  });

  it('accepts every source, transform, target and rule type', () => {
    const spec = validSpec({
      pipeline_type: 'batch',
      source: {
        ...httpSource,
        connection: 'orders-api',
        params: { status: 'open', limit: 100 },
        records_path: 'data.items',
        pagination: {
          type: 'cursor',
          cursor_param: 'cursor',
          next_cursor_path: 'meta.next',
        },
      },
      transformations: [
        {
          type: 'filter',
          condition: "status IN ('open', 'paid') AND amount BETWEEN 1 AND 100",
        },
        {
          type: 'select',
          columns: ['id', 'email', 'amount', 'status', 'created_at'],
        },
        { type: 'rename', columns: { created_at: 'created' } },
        { type: 'cast', columns: { amount: 'double', created: 'timestamp' } },
        {
          type: 'derive',
          column: 'amount_eur',
          expression: 'round(amount * 0.92, 2)',
        },
        { type: 'dedupe', keys: ['id'], order_by: [{ column: 'created' }] },
        {
          type: 'join',
          dataset: { type: 'iceberg', catalog: 'c', schema: 's', table: 't' },
          keys: ['id'],
          join_type: 'left',
        },
        {
          type: 'join',
          dataset: { ...fileSource, format: 'parquet', path: 's3://lake/ref/' },
          keys: ['id'],
        },
        { type: 'mask', columns: ['email'], method: 'hash' },
        {
          type: 'window',
          window_type: 'sliding',
          duration: '1 hour',
          slide: '10 minutes',
          time_column: 'created',
        },
        {
          type: 'aggregate',
          group_by: ['status'],
          aggregations: {
            amount_eur: 'sum',
            ids: { function: 'count_distinct', column: 'id' },
          },
        },
      ],
      target: {
        type: 'iceberg',
        catalog: 'sales',
        schema: 'gold',
        table: 'orders_by_status',
        mode: 'merge',
        merge_keys: ['status'],
        partitioning: [
          { column: 'status' },
          { column: 'ids', transform: 'bucket', width: 16 },
        ],
      },
      data_quality: [
        { type: 'completeness', columns: ['status'] },
        { type: 'uniqueness', columns: ['status'], severity: 'warn' },
        { type: 'range', columns: ['amount_eur'], min: 0, max: 1e9 },
        { type: 'pattern', columns: ['status'], pattern: '^[a-z]+$' },
        {
          type: 'allowed_values',
          columns: ['status'],
          values: ['open', 'paid'],
        },
        { type: 'freshness', columns: ['window_end'], max_age: '2 hours' },
        { type: 'row_count', min: 1 },
        {
          type: 'expression',
          expression: 'ids <= amount_eur OR amount_eur IS NULL',
          threshold: 0.99,
          severity: 'warn',
        },
      ],
    });
    expect(spec.data_quality.map(rule => rule.type)).toHaveLength(8);
    expect(
      validSpec({
        pipeline_type: 'batch',
        source: fileSource,
        target: {
          type: 'parquet',
          path: 'curated/orders',
          mode: 'overwrite',
          partition_by: ['day'],
        },
      }).source,
    ).toEqual(fileSource);
    expect(
      validSpec(
        streaming(s => {
          s.transformations[0] = {
            type: 'window',
            window_type: 'session',
            duration: '30 minutes',
            watermark: '10 minutes',
          };
          s.target = {
            type: 'iceberg',
            catalog: 'c',
            schema: 's',
            table: 'sessions',
          };
        }),
      ).target,
    ).toMatchObject({ type: 'iceberg', mode: 'append' });
  });
});

describe('validatePipelineSpec: streaming from files', () => {
  it('accepts files arriving in a folder as a stream, with a trigger, columns and a checkpoint', () => {
    const spec = validSpec(filesStreaming);
    expect(spec.trigger).toEqual({ interval: '30 seconds' });
    expect(spec.source).toEqual({
      ...filesStreaming.source,
      // Types are kept in canonical form.
      columns: { ...filesStreaming.source.columns, amount: 'decimal(18, 2)' },
    });
    expect(spec.target).toMatchObject({
      type: 'iceberg',
      mode: 'append',
      checkpoint: '_checkpoints/transactions-stream',
    });
    expect(validSpec(spec)).toEqual(spec);
  });

  it.each(['csv', 'json', 'parquet'])(
    'accepts %s files without declared columns, trigger or checkpoint',
    format => {
      const spec = validSpec(
        fileStream(s => {
          s.source = { type: 'file', path: 'landing/*', format };
          delete s.trigger;
          delete s.target.checkpoint;
        }),
      );
      expect(spec.source).toEqual({
        type: 'file',
        path: 'landing/*',
        format,
      });
      expect(spec.trigger).toBeUndefined();
    },
  );

  it('keeps Kafka streaming valid, with a trigger and an Iceberg checkpoint', () => {
    const spec = validSpec(
      streaming(s => {
        s.trigger = { interval: '1 minute' };
        s.target = {
          type: 'iceberg',
          catalog: 'c',
          schema: 's',
          table: 'events',
          checkpoint: 'cp/events',
        };
      }),
    );
    expect(spec.source.type).toBe('kafka');
    expect(spec.trigger).toEqual({ interval: '1 minute' });
  });

  it.each<[string, Json, string, string]>([
    [
      'a trigger on a batch pipeline',
      batch(s => {
        s.trigger = { interval: '1 minute' };
      }),
      'trigger',
      '`trigger` only applies to streaming pipelines',
    ],
    [
      'a trigger and a schedule',
      fileStream(s => {
        s.schedule = '0 * * * *';
      }),
      'trigger',
      'remove `trigger` to keep the schedule',
    ],
    [
      'an unreadable interval',
      fileStream(s => {
        s.trigger.interval = '30s';
      }),
      'trigger.interval',
      'is not a duration',
    ],
    [
      'a zero interval',
      fileStream(s => {
        s.trigger.interval = '0 seconds';
      }),
      'trigger.interval',
      'at least 1 second',
    ],
    [
      'a trigger short form',
      fileStream(s => {
        s.trigger = '30 seconds';
      }),
      'trigger',
      'expected a mapping of keys to values',
    ],
    [
      'an unknown trigger key',
      fileStream(s => {
        s.trigger = { intervall: '30 seconds' };
      }),
      'trigger.intervall',
      'did you mean `interval`?',
    ],
    [
      'declared columns in a batch pipeline',
      batch(s => {
        s.source = { ...fileSource, columns: { id: 'int' } };
      }),
      'source.columns',
      '`columns` only applies to streaming pipelines',
    ],
    [
      'max files per trigger in a batch pipeline',
      batch(s => {
        s.source = { ...fileSource, max_files_per_trigger: 5 };
      }),
      'source.max_files_per_trigger',
      'only applies to streaming pipelines',
    ],
    [
      'an unknown column type',
      fileStream(s => {
        s.source.columns.amount = 'money';
      }),
      'source.columns.amount',
      'money',
    ],
    [
      'an invalid column name',
      fileStream(s => {
        s.source.columns = { 'bad name': 'string' };
      }),
      'source.columns["bad name"]',
      'is not a valid column name',
    ],
    [
      'no files per trigger',
      fileStream(s => {
        s.source.max_files_per_trigger = 0;
      }),
      'source.max_files_per_trigger',
      'must be at least 1',
    ],
    [
      'a checkpoint outside the storage',
      fileStream(s => {
        s.target.checkpoint = '../other-org/_checkpoints';
      }),
      'target.checkpoint',
      '`..` is not allowed',
    ],
    [
      'an Iceberg checkpoint in a batch pipeline',
      batch(s => {
        s.target.checkpoint = 'cp/daily';
      }),
      'target.checkpoint',
      'only applies to streaming pipelines',
    ],
  ])('reports %s', (_, spec, path, message) => {
    const problems = problemsOf(spec);
    expect(problems).toContainEqual(
      expect.objectContaining({
        path,
        message: expect.stringContaining(message),
      }),
    );
  });
});

describe('validatePipelineSpec: problems', () => {
  it.each<[string, Json | string, string, string]>([
    // [case, spec, expected path, message fragment]
    [
      'not a mapping',
      [] as unknown as Json,
      '',
      'expected a mapping of keys to values but got a list',
    ],
    [
      'misspelt top-level key',
      batch(s => {
        s.pipline_type = s.pipeline_type;
        delete s.pipeline_type;
      }),
      'pipline_type',
      'did you mean `pipeline_type`?',
    ],
    [
      'missing pipeline_type',
      batch(s => {
        delete s.pipeline_type;
      }),
      'pipeline_type',
      '`pipeline_type` is required',
    ],
    [
      'unknown pipeline_type',
      batch(s => {
        s.pipeline_type = 'stream';
      }),
      'pipeline_type',
      'did you mean `streaming`?',
    ],
    [
      'future version',
      batch(s => {
        s.version = 2;
      }),
      'version',
      'unsupported spec version 2',
    ],
    [
      '6-field cron',
      batch(s => {
        s.schedule = '0 0 2 * * *';
      }),
      'schedule',
      'not a 5-field cron expression',
    ],
    [
      'hour out of range',
      batch(s => {
        s.schedule = '0 25 * * *';
      }),
      'schedule',
      'expected range 0-23',
    ],
    [
      'unknown time zone',
      batch(s => {
        s.schedule = { cron: '0 2 * * *', timezone: 'Europe/Berln' };
      }),
      'schedule.timezone',
      'did you mean `Europe/Berlin`?',
    ],
    [
      'missing source',
      batch(s => {
        delete s.source;
      }),
      'source',
      '`source` is required',
    ],
    [
      'misspelt source type',
      batch(s => {
        s.source.type = 'mysqll';
      }),
      'source.type',
      'did you mean `mysql`?',
    ],
    [
      'source without type',
      batch(s => {
        delete s.source.type;
      }),
      'source.type',
      '`type` is required: use mysql, mariadb',
    ],
    [
      'inline password',
      batch(s => {
        s.source.password = 'hunter2';
      }),
      'source.password',
      'refer to it with `connection: <name>`',
    ],
    [
      'inline token',
      streaming(s => {
        s.source.sasl_token = 'abc';
      }),
      'source.sasl_token',
      'looks like an inline credential',
    ],
    [
      'connection as URL',
      batch(s => {
        s.source.connection = 'mysql://root:pw@db:3306/finance';
      }),
      'source.connection',
      'is not a connection name',
    ],
    [
      'misspelt source key',
      batch(s => {
        s.source.tabel = s.source.table;
        delete s.source.table;
      }),
      'source.tabel',
      'did you mean `table`?',
    ],
    [
      'missing table',
      batch(s => {
        delete s.source.table;
      }),
      'source.table',
      '`table` is required',
    ],
    [
      'bad cursor column',
      batch(s => {
        s.source.incremental_column = '1st';
      }),
      'source.incremental_column',
      'not a valid column name',
    ],
    [
      'absolute file path',
      batch(s => {
        s.source = { ...fileSource, path: '/etc/passwd' };
      }),
      'source.path',
      'absolute paths are not allowed',
    ],
    [
      'path escaping storage',
      batch(s => {
        s.source = { ...fileSource, path: 'raw/../../other-org' };
      }),
      'source.path',
      '`..` is not allowed',
    ],
    [
      'foreign URI scheme',
      batch(s => {
        s.source = { ...fileSource, path: 'file:///etc/passwd' };
      }),
      'source.path',
      'only paths relative',
    ],
    [
      'bad bucket',
      batch(s => {
        s.source = { ...fileSource, path: 's3://Bad_Bucket/x' };
      }),
      'source.path',
      'not a valid S3 bucket name',
    ],
    [
      'unknown file format',
      batch(s => {
        s.source = { ...fileSource, format: 'xml' };
      }),
      'source.format',
      'use csv, json or parquet',
    ],
    [
      'csv option on parquet',
      batch(s => {
        s.source = { ...fileSource, format: 'parquet', header: true };
      }),
      'source.header',
      'only applies to csv',
    ],
    [
      'topic with a space',
      streaming(s => {
        s.source.topic = 'user events';
      }),
      'source.topic',
      'not a valid Kafka topic',
    ],
    [
      'broker without port',
      streaming(s => {
        s.source.bootstrap_servers = 'kafka-cluster';
      }),
      'source.bootstrap_servers',
      'host:port',
    ],
    [
      'credentials in URL',
      batch(s => {
        s.source = { ...httpSource, url: 'https://me:pw@api.example.com/x' };
      }),
      'source.url',
      'may not contain credentials',
    ],
    [
      'query in URL',
      batch(s => {
        s.source = { ...httpSource, url: 'https://api.example.com/x?page=1' };
      }),
      'source.url',
      'put query parameters in `params`',
    ],
    [
      'API key as parameter',
      batch(s => {
        s.source = { ...httpSource, params: { api_key: 'k' } };
      }),
      'source.params.api_key',
      'looks like an inline credential',
    ],
    [
      'unknown pagination',
      batch(s => {
        s.source = { ...httpSource, pagination: { type: 'pages' } };
      }),
      'source.pagination.type',
      'did you mean `page`?',
    ],
    [
      'transformations not a list',
      batch(s => {
        s.transformations = { type: 'filter' };
      }),
      'transformations',
      'expected a list but got a mapping',
    ],
    [
      'misspelt transform type',
      batch(s => {
        s.transformations[0].type = 'filtr';
      }),
      'transformations[0].type',
      'did you mean `filter`?',
    ],
    [
      'filter without condition',
      batch(s => {
        delete s.transformations[0].condition;
      }),
      'transformations[0].condition',
      '`condition` is required',
    ],
    [
      'stacked statement in condition',
      batch(s => {
        s.transformations[0].condition = 'amount > 0; DROP TABLE users';
      }),
      'transformations[0].condition',
      '`;` is not allowed',
    ],
    [
      'arithmetic as condition',
      batch(s => {
        s.transformations[0].condition = 'amount + 1';
      }),
      'transformations[0].condition',
      'a condition must be true or false',
    ],
    [
      'bad group_by column',
      batch(s => {
        s.transformations[1].group_by[0] = 'customer id';
      }),
      'transformations[1].group_by[0]',
      '`customer id` is not a valid column name',
    ],
    [
      'duplicate group_by column',
      batch(s => {
        s.transformations[1].group_by[1] = 'customer_id';
      }),
      'transformations[1].group_by[1]',
      'listed twice',
    ],
    [
      'unknown aggregate',
      batch(s => {
        s.transformations[1].aggregations.amount = 'median';
      }),
      'transformations[1].aggregations.amount',
      'use sum, count, avg, min, max or count_distinct',
    ],
    [
      'misspelt aggregate',
      batch(s => {
        s.transformations[1].aggregations.amount = 'summ';
      }),
      'transformations[1].aggregations.amount',
      'did you mean `sum`?',
    ],
    [
      'no aggregations',
      batch(s => {
        s.transformations[1].aggregations = {};
      }),
      'transformations[1].aggregations',
      'list at least one column',
    ],
    [
      'long form without column',
      batch(s => {
        s.transformations[1].aggregations.total = { function: 'sum' };
      }),
      'transformations[1].aggregations.total.column',
      '`sum` needs the column it aggregates',
    ],
    [
      'sliding window without slide',
      streaming(s => {
        s.transformations[0].window_type = 'sliding';
      }),
      'transformations[0].slide',
      'a sliding window needs `slide`',
    ],
    [
      'slide on a tumbling window',
      streaming(s => {
        s.transformations[0].slide = '1 minute';
      }),
      'transformations[0].slide',
      'only applies to sliding windows',
    ],
    [
      'unreadable duration',
      streaming(s => {
        s.transformations[0].duration = '5 mins';
      }),
      'transformations[0].duration',
      'is not a duration',
    ],
    [
      'window without aggregate',
      streaming(s => {
        s.transformations.pop();
      }),
      'transformations[0]',
      'must be directly followed by an aggregate',
    ],
    [
      'unknown function in derive',
      batch(s => {
        s.transformations.push({
          type: 'derive',
          column: 'h',
          expression: 'sha1(email)',
        });
      }),
      'transformations[2].expression',
      'unknown function `sha1`',
    ],
    [
      'bad derived column',
      batch(s => {
        s.transformations.push({
          type: 'derive',
          column: 'net-amount',
          expression: 'amount * 2',
        });
      }),
      'transformations[2].column',
      'not a valid column name',
    ],
    [
      'unknown cast type',
      batch(s => {
        s.transformations.push({
          type: 'cast',
          columns: { amount: 'varchar2' },
        });
      }),
      'transformations[2].columns.amount',
      'unknown type `varchar2`',
    ],
    [
      'two columns renamed alike',
      batch(s => {
        s.transformations.push({ type: 'rename', columns: { a: 'x', b: 'x' } });
      }),
      'transformations[2].columns.b',
      'two columns are renamed to `x`',
    ],
    [
      'join with a stream',
      batch(s => {
        s.transformations.push({
          type: 'join',
          dataset: seedStreaming.source,
          keys: ['id'],
        });
      }),
      'transformations[2].dataset.type',
      'unknown dataset type `kafka`',
    ],
    [
      'join without keys',
      batch(s => {
        s.transformations.push({ type: 'join', dataset: fileSource, keys: [] });
      }),
      'transformations[2].keys',
      'list at least one join key',
    ],
    [
      'unknown join type',
      batch(s => {
        s.transformations.push({
          type: 'join',
          dataset: fileSource,
          keys: ['id'],
          join_type: 'outer',
        });
      }),
      'transformations[2].join_type',
      'use inner, left, right or full',
    ],
    [
      'unknown mask method',
      batch(s => {
        s.transformations.push({
          type: 'mask',
          columns: ['email'],
          method: 'encrypt',
        });
      }),
      'transformations[2].method',
      'use hash, redact or partial',
    ],
    [
      'partial option with hash',
      batch(s => {
        s.transformations.push({
          type: 'mask',
          columns: ['email'],
          visible_characters: 2,
        });
      }),
      'transformations[2].visible_characters',
      'only applies to method partial',
    ],
    [
      'bad dedupe direction',
      batch(s => {
        s.transformations.push({
          type: 'dedupe',
          keys: ['id'],
          order_by: [{ column: 'ts', direction: 'up' }],
        });
      }),
      'transformations[2].order_by[0].direction',
      'use asc or desc',
    ],
    [
      'merge without keys',
      batch(s => {
        s.target.mode = 'merge';
      }),
      'target.merge_keys',
      'mode merge needs `merge_keys`',
    ],
    [
      'merge keys without merge',
      batch(s => {
        s.target.merge_keys = ['id'];
      }),
      'target.merge_keys',
      'only applies to mode merge',
    ],
    [
      'bucket without width',
      batch(s => {
        s.target.partitioning = [{ column: 'id', transform: 'bucket' }];
      }),
      'target.partitioning[0].width',
      'the bucket transform needs `width`',
    ],
    [
      'output_mode in batch',
      batch(s => {
        s.target = { type: 'delta', path: 'out/tx', output_mode: 'update' };
      }),
      'target.output_mode',
      'only applies to streaming pipelines',
    ],
    [
      'streaming from a database',
      streaming(s => {
        s.source = seedBatch.source;
      }),
      'source.type',
      'a streaming pipeline reads a stream',
    ],
    [
      'streaming into parquet',
      streaming(s => {
        s.target = { type: 'parquet', path: 'out/events' };
      }),
      'target.type',
      'writes to delta or iceberg',
    ],
    [
      'wildcard in target path',
      batch(s => {
        s.target = { type: 'parquet', path: 'out/*.parquet' };
      }),
      'target.path',
      'wildcards',
    ],
    [
      'threshold above 1',
      batch(s => {
        s.data_quality[0].threshold = 1.5;
      }),
      'data_quality[0].threshold',
      'must be at most 1',
    ],
    [
      'unknown severity',
      batch(s => {
        s.data_quality[0].severity = 'error';
      }),
      'data_quality[0].severity',
      'use warn, drop or fail',
    ],
    [
      'dropping on a dataset rule',
      batch(s => {
        s.data_quality[0] = {
          type: 'uniqueness',
          columns: ['id'],
          severity: 'drop',
        };
      }),
      'data_quality[0].severity',
      'use warn or fail',
    ],
    [
      'misspelt rule type',
      batch(s => {
        s.data_quality[0].type = 'completness';
      }),
      'data_quality[0].type',
      'did you mean `completeness`?',
    ],
    [
      'range without bounds',
      batch(s => {
        s.data_quality[0] = { type: 'range', columns: ['amount'] };
      }),
      'data_quality[0].min',
      'needs `min`, `max` or both',
    ],
    [
      'inverted row count',
      batch(s => {
        s.data_quality[0] = { type: 'row_count', min: 10, max: 1 };
      }),
      'data_quality[0].max',
      'must not be smaller than `min`',
    ],
    [
      'broken regular expression',
      batch(s => {
        s.data_quality[0] = {
          type: 'pattern',
          columns: ['email'],
          pattern: '([a-z',
        };
      }),
      'data_quality[0].pattern',
      'not a valid regular expression',
    ],
    [
      'non-portable regular expression',
      batch(s => {
        s.data_quality[0] = {
          type: 'pattern',
          columns: ['email'],
          pattern: '^(?!test)',
        };
      }),
      'data_quality[0].pattern',
      'look-arounds are not supported',
    ],
    [
      'comment in rule expression',
      batch(s => {
        s.data_quality[0] = {
          type: 'expression',
          expression: 'amount > 0 -- ok',
        };
      }),
      'data_quality[0].expression',
      'comments (`--`)',
    ],
    [
      'freshness without unit',
      batch(s => {
        s.data_quality[0] = {
          type: 'freshness',
          columns: ['updated_at'],
          max_age: '24',
        };
      }),
      'data_quality[0].max_age',
      'is not a duration',
    ],
    [
      'threshold on row_count',
      batch(s => {
        s.data_quality[0] = { type: 'row_count', min: 1, threshold: 0.5 };
      }),
      'data_quality[0].threshold',
      'unknown key `threshold`',
    ],
  ])('%s', (_, spec, path, fragment) => {
    const problems = problemsOf(spec);
    expect(problems).toContainEqual(
      expect.objectContaining({
        path,
        message: expect.stringContaining(fragment),
      }),
    );
  });

  it('reports every problem at once', () => {
    const problems = problemsOf(
      batch(spec => {
        spec.pipeline_type = 'nightly';
        spec.source.table = 'tx; DROP TABLE tx';
        spec.transformations[0].condition = 'amount >';
        spec.transformations[1].group_by = ['customer_id', 'bad name'];
        spec.target.mode = 'upsert';
        spec.data_quality[0].threshold = -1;
        spec.owner = 'me';
      }),
    );
    expect(problems.map(problem => problem.path).sort()).toEqual([
      'data_quality[0].threshold',
      'owner',
      'pipeline_type',
      'source.table',
      'target.mode',
      'transformations[0].condition',
      'transformations[1].group_by[1]',
    ]);
  });

  it('reports expression problems at the spec path with the position inside the expression', () => {
    expect(
      problemsOf(
        batch(spec => {
          spec.transformations[0].condition =
            "amount > 0 AND status = 'paid' AND";
        }),
      ),
    ).toEqual([
      {
        path: 'transformations[0].condition',
        message: expect.stringMatching(
          /expected a value .*\(expression line 1, column 35\)$/,
        ),
        expression: { offset: 34, line: 1, column: 35 },
      },
    ]);
  });

  it('formats paths with keys that are not plain names', () => {
    expect(
      problemsOf(
        batch(spec => {
          spec.transformations[1].aggregations['total amount'] = 'sum';
        }),
      ),
    ).toContainEqual(
      expect.objectContaining({
        path: 'transformations[1].aggregations["total amount"]',
      }),
    );
  });
});

describe('validatePipelineSpec: injection attempts', () => {
  const attempts = [
    'x; DROP TABLE users',
    "x' OR '1'='1",
    'x` ; DROP TABLE y; --',
    'x" --',
    'x/* */',
    '$(rm -rf /)',
    '../../etc/passwd',
    'x\nDROP TABLE users',
  ];
  // [field, inject the attempt, path of the expected problem]
  const fields: Array<
    [
      string,
      (spec: Json, value: string) => void,
      string | ((value: string) => string),
    ]
  > = [
    [
      'source.table',
      (s, v) => {
        s.source.table = v;
      },
      'source.table',
    ],
    [
      'source.schema',
      (s, v) => {
        s.source.schema = v;
      },
      'source.schema',
    ],
    [
      'source.connection',
      (s, v) => {
        s.source.connection = v;
      },
      'source.connection',
    ],
    [
      'source.incremental_column',
      (s, v) => {
        s.source.incremental_column = v;
      },
      'source.incremental_column',
    ],
    [
      'target.catalog',
      (s, v) => {
        s.target.catalog = v;
      },
      'target.catalog',
    ],
    [
      'target.schema',
      (s, v) => {
        s.target.schema = v;
      },
      'target.schema',
    ],
    [
      'target.table',
      (s, v) => {
        s.target.table = v;
      },
      'target.table',
    ],
    [
      'group_by column',
      (s, v) => {
        s.transformations[1].group_by = [v];
      },
      'transformations[1].group_by[0]',
    ],
    [
      'aggregation output',
      (s, v) => {
        s.transformations[1].aggregations = { [v]: 'count' };
      },
      v => `transformations[1].aggregations[${JSON.stringify(v)}]`,
    ],
    [
      'quality column',
      (s, v) => {
        s.data_quality[0].columns = [v];
      },
      'data_quality[0].columns[0]',
    ],
    [
      'file path',
      (s, v) => {
        s.source = { ...fileSource, path: `raw/${v}` };
      },
      'source.path',
    ],
    [
      'topic',
      (s, v) => {
        s.source = { ...seedStreaming.source, topic: v };
      },
      'source.topic',
    ],
    [
      'consumer group',
      (s, v) => {
        s.source = { ...seedStreaming.source, consumer_group: v };
      },
      'source.consumer_group',
    ],
    [
      'bootstrap servers',
      (s, v) => {
        s.source = {
          ...seedStreaming.source,
          bootstrap_servers: `kafka:9092,${v}`,
        };
      },
      'source.bootstrap_servers',
    ],
    [
      'delta path',
      (s, v) => {
        s.target = { type: 'delta', path: `out/${v}` };
      },
      'target.path',
    ],
    [
      'records path',
      (s, v) => {
        s.source = { ...httpSource, records_path: v };
      },
      'source.records_path',
    ],
    [
      'URL',
      (s, v) => {
        s.source = { ...httpSource, url: `https://api.example.com/${v}` };
      },
      'source.url',
    ],
    [
      'filter condition',
      (s, v) => {
        s.transformations[0].condition = `amount > 0 AND name = ${v}`;
      },
      'transformations[0].condition',
    ],
    [
      'derive expression',
      (s, v) => {
        s.transformations.push({
          type: 'derive',
          column: 'y',
          expression: `lower(${v})`,
        });
      },
      'transformations[2].expression',
    ],
    [
      'rule expression',
      (s, v) => {
        s.data_quality[0] = { type: 'expression', expression: `${v} IS NULL` };
      },
      'data_quality[0].expression',
    ],
  ];

  it.each(fields)('rejects every attempt in %s', (_, inject, path) => {
    for (const attempt of attempts) {
      const problems = problemsOf(batch(spec => inject(spec, attempt)));
      const expectedPath = typeof path === 'string' ? path : path(attempt);
      expect(problems.map(problem => problem.path)).toContain(expectedPath);
    }
  });

  it.each([
    [
      'a subquery',
      'amount > (SELECT max(amount) FROM payroll)',
      '`SELECT` is not allowed',
    ],
    [
      'a UNION',
      "status = 'a' UNION SELECT password FROM users",
      '`UNION` is not allowed',
    ],
    [
      'a comment hiding the rest',
      "status = 'a' /* AND tenant = 'x' */",
      'comments (`/* */`)',
    ],
    [
      'a closed string and a tautology',
      "name = 'x' OR 1=1 --'",
      'comments (`--`)',
    ],
    ['a stacked statement', 'TRUE; DELETE FROM orders', '`;` is not allowed'],
    [
      'a call outside the allow-list',
      "reflect('java.lang.Runtime', 'exec', 'id') IS NULL",
      'unknown function `reflect`',
    ],
  ])('rejects %s in expressions', (_, condition, fragment) => {
    expect(
      problemsOf(
        batch(spec => {
          spec.transformations[0].condition = condition;
        }),
      ),
    ).toContainEqual(
      expect.objectContaining({
        path: 'transformations[0].condition',
        message: expect.stringContaining(fragment),
      }),
    );
  });

  it('keeps quotes inside a properly quoted string as data', () => {
    expect(
      problemsOf(
        batch(spec => {
          spec.transformations[0].condition =
            "name = 'O''Brien; DROP TABLE x; --'";
        }),
      ),
    ).toEqual([]);
  });
});

describe('spec text', () => {
  it('reports YAML syntax errors with line and column', () => {
    const text =
      'pipeline_type: batch\nsource:\n  type: mysql\n  table: [transactions\n';
    const result = parsePipelineSpecText(text);
    expect(result.ok).toBe(false);
    expect(validatePipelineSpec(text)).toEqual({
      valid: false,
      problems: [
        expect.objectContaining({
          path: '',
          message: expect.stringMatching(
            /^syntax error at line \d+, column \d+: /,
          ),
          location: expect.objectContaining({ line: expect.any(Number) }),
        }),
      ],
    });
  });

  it('rejects duplicate keys', () => {
    expect(
      problemsOf('pipeline_type: batch\npipeline_type: streaming\n'),
    ).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('duplicate key at line 2, column 1'),
        location: { line: 2, column: 1 },
      }),
    ]);
  });

  it('locates problems of a YAML spec in the text', () => {
    const text = [
      'pipeline_type: batch',
      'source:',
      '  type: mysql',
      '  connection: finance-db',
      '  table: transactions',
      'transformations:',
      '  - type: filter',
      '    condition: amount >> 0',
      'target:',
      '  type: iceberg',
      '  catalog: c',
      '  schema: s',
      '  table: t',
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      expect.objectContaining({
        path: 'transformations[0].condition',
        location: { line: 8, column: 16 },
        expression: { offset: 8, line: 1, column: 9 },
      }),
    ]);
  });

  it('reads JSON text', () => {
    expect(parsePipelineSpecText(JSON.stringify(seedBatch))).toEqual({
      ok: true,
      value: seedBatch,
    });
  });

  it('refuses very large texts without parsing them', () => {
    expect(problemsOf(`# ${'x'.repeat(300 * 1024)}`)).toEqual([
      { path: '', message: 'the spec is larger than 256 KB' },
    ]);
  });
});
