import { assembleNotebook, NotebookParts, Step } from './assemble';
import type { QualityRuleSpec } from '@ingestion-for-backstage/plugin-ingestion-common';
import { toSparkSql } from './expression';
import { qualityRule, ruleLabel } from './quality';
import {
  fileSource,
  httpSource,
  incrementalFilter,
  jdbcSource,
  kafkaSource,
  streamingFileSource,
  tableSource,
} from './sources';
import {
  aggregateTransform,
  castTransform,
  dedupeTransform,
  deriveTransform,
  filterTransform,
  joinTransform,
  maskTransform,
  renameTransform,
  selectTransform,
  watermarkTransform,
} from './transforms';
import { targetWriter, TargetPlan } from './targets';
import { pythonSyntaxError } from '../__testUtils__';
import { pythonCodeIdentifiers } from '../__testUtils__/pythonNames';

/** Names crafted to break out of string literals, identifiers, comments and SQL. */
const EVIL = '") ; __import__("os").system("owned") ; ("';
const EVIL_SQL = "x` = 1; DROP TABLE t; --'";
const EVIL_NL = 'col\nimport subprocess\u2028subprocess.call("pwned")';
const EVIL_NAMES = [EVIL, EVIL_SQL, EVIL_NL];
const INJECTED = [
  '__import__',
  'system',
  'subprocess',
  'call',
  'owned',
  'pwned',
  'DROP',
];

/** A valid expression whose string literal carries the payload: it must stay a Spark SQL string. */
const EVIL_EXPR = `note = '${EVIL}' OR note = 'it''s'`;
const sql = (text: string) =>
  toSparkSql(text, { condition: true, where: 'test' });

function parts(overrides: Partial<NotebookParts>): NotebookParts {
  return {
    title: `Title ${EVIL_NL} <script>`,
    description: `# COMMAND ----------\n${EVIL}`,
    facts: [['Organization', EVIL]],
    identity: { organization: EVIL, pipeline_id: EVIL_NL },
    source: {
      label: `source ${EVIL_NL}`,
      lines: tableSource({
        into: 'source_df',
        table: EVIL_NAMES,
        streaming: false,
      }),
    },
    transforms: [],
    quality: [],
    target: {
      label: 'target',
      lines: targetWriter(
        {
          format: 'parquet',
          path: `s3://b/${EVIL}`,
          mode: 'append',
          partitionBy: [],
        },
        { streaming: false, appId: 'p' },
      ),
    },
    commitGuard: false,
    ...overrides,
  };
}

/** What is wrong with a notebook generated from hostile input: syntax, injected code, extra cells. */
function safetyProblems(notebook: string): string[] {
  const syntax = pythonSyntaxError(notebook);
  if (syntax) {
    return [syntax];
  }
  const identifiers = pythonCodeIdentifiers(notebook);
  const problems = INJECTED.filter(name => identifiers.has(name)).map(
    name => `"${name}" is code, not text`,
  );
  // Only real cell separators: a hostile description cannot start a new cell.
  const separators = notebook
    .split('\n')
    .filter(line => line === '# COMMAND ----------');
  if (separators.length !== 8) {
    problems.push(`${separators.length} cell separators instead of 8`);
  }
  return problems;
}

// Rules as a spec would hold them, but with names the spec schema would reject.
const ALL_RULES = [
  {
    name: EVIL,
    type: 'completeness',
    severity: 'warn',
    threshold: 0.95,
    columns: EVIL_NAMES,
  },
  { type: 'uniqueness', severity: 'fail', threshold: 1, columns: [EVIL] },
  {
    type: 'range',
    severity: 'fail',
    threshold: 1,
    columns: [EVIL_SQL],
    min: 0,
    max: 10,
  },
  {
    type: 'pattern',
    severity: 'warn',
    threshold: 0.9,
    columns: [EVIL_NL],
    pattern: EVIL,
  },
  {
    type: 'allowed_values',
    severity: 'drop',
    threshold: 0,
    columns: [EVIL],
    values: [EVIL, 1, true],
  },
  { type: 'freshness', severity: 'warn', columns: [EVIL], max_age: '1 hour' },
  { type: 'row_count', severity: 'fail', min: 1 },
  { type: 'expression', severity: 'warn', threshold: 1, expression: EVIL_EXPR },
] as QualityRuleSpec[];

const ALL_TRANSFORMS: Step[] = [
  { label: 'filter', lines: filterTransform(sql(EVIL_EXPR)) },
  { label: 'select', lines: selectTransform(EVIL_NAMES) },
  { label: 'rename', lines: renameTransform({ [EVIL]: EVIL_SQL }) },
  { label: 'cast', lines: castTransform({ [EVIL]: 'decimal(18, 2)' }) },
  { label: 'derive', lines: deriveTransform(EVIL_NL, sql(EVIL_EXPR)) },
  {
    label: 'dedupe',
    lines: dedupeTransform({
      columns: [EVIL],
      orderBy: [{ column: EVIL_SQL, descending: true }],
      streaming: false,
      hasWatermark: false,
    }),
  },
  {
    label: 'join using',
    lines: [
      ...tableSource({
        into: 'join_df_1',
        table: EVIL_NAMES,
        streaming: false,
      }),
      ...joinTransform({
        right: 'join_df_1',
        how: 'left',
        keys: [{ left: EVIL, right: EVIL }],
      }),
    ],
  },
  {
    label: 'join on',
    lines: joinTransform({
      right: 'join_df_1',
      how: 'inner',
      keys: [{ left: EVIL, right: EVIL_SQL }],
    }),
  },
  ...(['hash', 'redact', 'partial'] as const).map(method => ({
    label: `mask ${method}`,
    lines: maskTransform({
      columns: [EVIL, EVIL_NL],
      method,
      visibleCharacters: 2,
    }),
  })),
  {
    label: 'aggregate',
    lines: aggregateTransform({
      groupBy: [EVIL],
      aggregations: {
        [EVIL_NL]: { function: 'sum', column: EVIL },
        n: { function: 'count' },
      },
    }),
  },
];

describe('PySpark emitters with hostile names', () => {
  it.each<[string, string[]]>([
    [
      'jdbc mysql',
      jdbcSource({
        into: 'source_df',
        dialect: 'mysql',
        scope: EVIL,
        table: ['db', EVIL_SQL],
      }),
    ],
    [
      'jdbc postgres',
      jdbcSource({
        into: 'source_df',
        dialect: 'postgres',
        scope: EVIL,
        table: [`s"${EVIL}`],
      }),
    ],
    [
      'files with S3 credentials',
      fileSource({
        into: 'source_df',
        format: 'csv',
        uri: `s3://bucket/${EVIL}`,
        readerOptions: { header: 'true', sep: '"' },
        scope: EVIL,
      }),
    ],
    [
      'streaming files with declared columns',
      streamingFileSource({
        format: 'json',
        uri: `s3://bucket/${EVIL}`,
        readerOptions: {},
        scope: EVIL,
        columns: { [EVIL]: 'string', [EVIL_SQL]: 'int', [EVIL_NL]: 'date' },
        maxFilesPerTrigger: 10,
        schemaLocation: `s3://bucket/${EVIL_NL}`,
      }),
    ],
    [
      'kafka json with credentials',
      kafkaSource({
        streaming: false,
        bootstrapServers: EVIL,
        topic: EVIL,
        startingOffsets: 'earliest',
        consumerGroup: EVIL_NL,
        scope: EVIL,
        format: 'json',
      }),
    ],
    [
      'kafka string',
      kafkaSource({
        streaming: true,
        bootstrapServers: 'k:9092',
        topic: EVIL_SQL,
        startingOffsets: 'latest',
        format: 'string',
      }),
    ],
    ...(
      [
        { type: 'none' },
        {
          type: 'page',
          page_param: EVIL,
          size_param: EVIL_SQL,
          page_size: 50,
          start_page: 1,
        },
        {
          type: 'offset',
          offset_param: EVIL,
          limit_param: EVIL_NL,
          page_size: 100,
        },
        { type: 'cursor', cursor_param: EVIL, next_cursor_path: 'meta.next' },
        { type: 'link_header' },
      ] as const
    ).map((pagination): [string, string[]] => [
      `http ${pagination.type} pagination`,
      httpSource({
        into: 'source_df',
        url: `https://api.example.com/${EVIL}`,
        params: { [EVIL]: EVIL_NL, n: 1, b: true },
        scope: EVIL,
        recordsPath: 'data.items',
        pagination,
        maxPages: 10,
      }),
    ]),
    [
      'table, incremental',
      [
        ...tableSource({
          into: 'source_df',
          table: EVIL_NAMES,
          streaming: false,
        }),
        ...incrementalFilter(EVIL),
      ],
    ],
  ])('%s source stays inside string literals', (_name, lines) => {
    expect(
      safetyProblems(
        assembleNotebook(
          parts({ source: { label: 'source', lines }, cursor: EVIL }),
        ),
      ),
    ).toEqual([]);
  });

  it('every transform and quality rule stays inside string literals', () => {
    const notebook = assembleNotebook(
      parts({
        transforms: ALL_TRANSFORMS,
        quality: ALL_RULES.map(rule => ({
          label: ruleLabel(rule),
          lines: qualityRule(rule),
        })),
      }),
    );
    expect(safetyProblems(notebook)).toEqual([]);
  });

  it.each<[string, TargetPlan]>([
    [
      'iceberg merge',
      {
        format: 'iceberg',
        table: EVIL_NAMES,
        mode: 'merge',
        mergeKeys: EVIL_NAMES,
        partitioning: [
          { column: EVIL, transform: 'day' },
          { column: EVIL_SQL, transform: 'bucket', width: 16 },
          { column: EVIL_NL, transform: 'identity' },
        ],
      },
    ],
    [
      'iceberg overwrite',
      {
        format: 'iceberg',
        table: EVIL_NAMES,
        mode: 'overwrite',
        mergeKeys: [],
        partitioning: [],
      },
    ],
    [
      'delta merge',
      {
        format: 'delta',
        path: `s3://b/${EVIL}`,
        mode: 'merge',
        mergeKeys: [EVIL_SQL],
        partitionBy: [EVIL],
      },
    ],
    [
      'delta append',
      {
        format: 'delta',
        path: `s3://b/${EVIL_SQL}`,
        mode: 'append',
        mergeKeys: [],
        partitionBy: [],
      },
    ],
    [
      'parquet',
      {
        format: 'parquet',
        path: `s3://b/${EVIL}`,
        mode: 'overwrite',
        partitionBy: [EVIL],
      },
    ],
  ])(
    '%s target stays inside string literals, batch and streaming',
    (_name, target) => {
      for (const streaming of [false, true]) {
        const notebook = assembleNotebook(
          parts({
            target: {
              label: 'target',
              lines: targetWriter(target, { streaming, appId: EVIL }),
            },
            commitGuard: target.format === 'delta' && !streaming,
            quality: [{ label: 'q', lines: qualityRule(ALL_RULES[0]) }],
            streaming: streaming
              ? {
                  outputMode: 'update',
                  checkpointLocation: `s3://b/${EVIL}`,
                  availableNow: false,
                }
              : undefined,
          }),
        );
        expect(safetyProblems(notebook)).toEqual([]);
      }
    },
  );

  it('streaming transforms (watermark, windowed aggregate, dedupe) stay inside string literals', () => {
    const lines = [
      ...watermarkTransform(EVIL, '10 minutes'),
      ...aggregateTransform({
        groupBy: [EVIL],
        aggregations: { [EVIL]: { function: 'avg', column: EVIL_SQL } },
        window: {
          type: 'sliding',
          column: EVIL,
          duration: '10 minutes',
          slide: '5 minutes',
        },
      }),
      ...dedupeTransform({
        columns: [EVIL],
        streaming: true,
        hasWatermark: true,
      }),
    ];
    const notebook = assembleNotebook(
      parts({
        source: {
          label: 'kafka',
          lines: kafkaSource({
            streaming: true,
            bootstrapServers: 'k:9092',
            topic: 't',
            startingOffsets: 'latest',
            format: 'json',
          }),
        },
        transforms: [{ label: 'stream', lines }],
        streaming: {
          outputMode: 'append',
          checkpointLocation: 's3://b/c',
          availableNow: true,
        },
      }),
    );
    expect(safetyProblems(notebook)).toEqual([]);
  });
});

describe('emitter validation', () => {
  it("accepts only the expression language's data types for casts", () => {
    expect(castTransform({ a: 'DECIMAL(18,2)' })).toEqual([
      'df = df.withColumn("a", F.col("a").cast("decimal(18, 2)"))',
    ]);
    expect(() => castTransform({ a: 'string) ; drop' })).toThrow(
      'Invalid data type',
    );
  });

  it('accepts only durations for windows and watermarks', () => {
    expect(() => watermarkTransform('ts', '5 minutes") ; x("')).toThrow(
      'Invalid duration',
    );
    expect(() =>
      aggregateTransform({
        groupBy: [],
        aggregations: {},
        window: { type: 'tumbling', column: 'ts', duration: 'soon' },
      }),
    ).toThrow('Invalid duration "soon"');
  });

  it('accepts only known aggregate functions', () => {
    expect(() =>
      aggregateTransform({
        groupBy: [],
        aggregations: { x: { function: 'exec', column: 'a' } },
      }),
    ).toThrow('Unsupported aggregate function "exec"');
  });

  it('rejects invalid expressions instead of emitting them', () => {
    expect(() =>
      toSparkSql('amount > 0; DROP TABLE t', {
        condition: true,
        where: 'filter',
      }),
    ).toThrow(/Invalid expression at filter/);
  });

  it('requires merge keys', () => {
    expect(() =>
      targetWriter(
        {
          format: 'iceberg',
          table: ['c', 's', 't'],
          mode: 'merge',
          mergeKeys: [],
          partitioning: [],
        },
        { streaming: false, appId: 'p' },
      ),
    ).toThrow('Merge writes need at least one key column');
  });

  it('lets Auto Loader infer and keep the schema when the spec declares no columns', () => {
    const lines = streamingFileSource({
      format: 'parquet',
      uri: 's3://bucket/landing',
      readerOptions: {},
      schemaLocation: 's3://bucket/_checkpoints/p',
    });
    expect(lines).toEqual([
      'source_df = (',
      '    spark.readStream.format("cloudFiles")',
      '    .option("cloudFiles.format", "parquet")',
      '    .option("cloudFiles.schemaLocation", "s3://bucket/_checkpoints/p")',
      '    .option("cloudFiles.inferColumnTypes", "true")',
      '    .load("s3://bucket/landing")',
      ')',
    ]);
  });

  it('rejects Avro Kafka values, which need a schema the spec cannot name', () => {
    expect(() =>
      kafkaSource({
        streaming: true,
        bootstrapServers: 'k:9092',
        topic: 't',
        startingOffsets: 'latest',
        format: 'avro',
      }),
    ).toThrow('Avro');
  });
});
