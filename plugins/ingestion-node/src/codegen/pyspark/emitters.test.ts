import { assembleNotebook, NotebookParts, Step } from './assemble';
import type { SparkSql } from './expression';
import { qualityRule, QualityRule } from './quality';
import {
  fileSource,
  httpSource,
  incrementalFilter,
  jdbcSource,
  kafkaSource,
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
import { sparkSchemaDdl, sparkType } from './sparkTypes';
import { pythonSyntaxError } from '../__testUtils__';
import { pythonCodeIdentifiers } from '../__testUtils__/pythonNames';

/** Names crafted to break out of string literals, identifiers, comments and SQL. */
const EVIL = '") ; __import__("os").system("owned") ; ("';
const EVIL_SQL = "x` = 1; DROP TABLE t; --'";
const EVIL_NL = 'col\nimport subprocess\u2028subprocess.call("pwned")';
const EVIL_NAMES = [EVIL, EVIL_SQL, EVIL_NL];
const INJECTED = ['__import__', 'system', 'subprocess', 'call', 'owned', 'pwned', 'DROP'];

const sql = (text: string) => text as SparkSql;

function parts(overrides: Partial<NotebookParts>): NotebookParts {
  return {
    title: `Title ${EVIL_NL} <script>`,
    description: `# COMMAND ----------\n${EVIL}`,
    facts: [['Organization', EVIL]],
    identity: { organization: EVIL, pipeline_id: EVIL_NL },
    source: { label: `source ${EVIL_NL}`, lines: tableSource({ table: EVIL_NAMES, streaming: false }) },
    transforms: [],
    quality: [],
    target: {
      label: 'target',
      lines: targetWriter(
        { format: 'parquet', path: `s3://b/${EVIL}`, mode: 'append', partitionBy: [] },
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
  const separators = notebook.split('\n').filter(line => line === '# COMMAND ----------');
  if (separators.length !== 8) {
    problems.push(`${separators.length} cell separators instead of 8`);
  }
  return problems;
}

const ALL_RULES: QualityRule[] = [
  { name: EVIL, kind: 'completeness', severity: 'warn', threshold: 0.95, columns: EVIL_NAMES },
  { name: 'u', kind: 'uniqueness', severity: 'drop', threshold: 1, columns: [EVIL] },
  { name: 'r', kind: 'range', severity: 'fail', threshold: 1, column: EVIL_SQL, min: 0, max: EVIL },
  { name: 'p', kind: 'pattern', severity: 'warn', threshold: 0.9, column: EVIL_NL, regex: EVIL },
  { name: 'a', kind: 'allowed_values', severity: 'drop', threshold: 1, column: EVIL, values: [EVIL, 1, true] },
  { name: 'f', kind: 'freshness', severity: 'warn', threshold: 1, column: EVIL, maxAgeSeconds: 3600 },
  { name: 'c', kind: 'row_count', severity: 'fail', threshold: 1, min: 1 },
  { name: 'e', kind: 'expression', severity: 'warn', threshold: 1, expression: sql(EVIL) },
];

const ALL_TRANSFORMS: Step[] = [
  { label: 'filter', lines: filterTransform(sql(EVIL)) },
  { label: 'select', lines: selectTransform(EVIL_NAMES) },
  { label: 'rename', lines: renameTransform({ [EVIL]: EVIL_SQL }) },
  { label: 'cast', lines: castTransform({ [EVIL]: 'Decimal(18, 2)' }) },
  { label: 'derive', lines: deriveTransform([{ name: EVIL_NL, expression: sql(EVIL) }]) },
  {
    label: 'dedupe',
    lines: dedupeTransform({
      columns: [EVIL],
      orderBy: [{ column: EVIL_SQL, descending: true }],
      streaming: false,
      hasWatermark: false,
    }),
  },
  { label: 'join', lines: joinTransform({ table: EVIL, how: 'left', using: [EVIL] }) },
  { label: 'join on', lines: joinTransform({ table: EVIL, how: 'inner', on: sql(EVIL), select: [EVIL] }) },
  {
    label: 'mask',
    lines: maskTransform(
      (['hash', 'redact', 'partial', 'null', 'email'] as const).map(method => ({ column: EVIL, method })),
    ),
  },
  {
    label: 'aggregate',
    lines: aggregateTransform({
      groupBy: [EVIL],
      aggregations: [
        { alias: EVIL_NL, fn: 'sum', column: EVIL },
        { alias: 'n', fn: 'count', column: '*' },
      ],
    }),
  },
];

describe('PySpark emitters with hostile names', () => {
  it.each<[string, string[]]>([
    ['jdbc mysql', jdbcSource({ dialect: 'mysql', scope: EVIL, table: `db.${EVIL_SQL}` })],
    ['jdbc postgres', jdbcSource({ dialect: 'postgres', scope: EVIL, table: `s."${EVIL}` })],
    [
      'files',
      fileSource({
        format: 'csv',
        uri: `s3://bucket/${EVIL}`,
        streaming: false,
        schemaDdl: sparkSchemaDdl([{ name: EVIL, type: 'bigint' }]),
        readerOptions: { header: 'true', [EVIL]: EVIL },
      }),
    ],
    [
      'kafka with credentials and schema',
      kafkaSource({
        streaming: false,
        bootstrapServers: EVIL,
        topics: [EVIL, 't2'],
        consumerGroup: EVIL_NL,
        scope: EVIL,
        valueSchemaDdl: sparkSchemaDdl([{ name: EVIL_SQL, type: 'string' }]),
      }),
    ],
    [
      'http',
      httpSource({
        url: `https://api.example.com/${EVIL}`,
        query: { [EVIL]: EVIL },
        headers: { 'X-Evil': EVIL_NL },
        scope: EVIL,
        recordsPath: [EVIL],
        pagination: { type: 'cursor', param: EVIL, path: ['next', EVIL] },
        maxPages: 10,
      }),
    ],
    ['table', [...tableSource({ table: EVIL_NAMES, streaming: false }), ...incrementalFilter(EVIL)]],
  ])('%s source stays inside string literals', (_name, lines) => {
    expect(safetyProblems(assembleNotebook(parts({ source: { label: 'source', lines }, cursor: EVIL })))).toEqual([]);
  });

  it('every transform and quality rule stays inside string literals', () => {
    const notebook = assembleNotebook(
      parts({
        transforms: ALL_TRANSFORMS,
        quality: ALL_RULES.map(rule => ({ label: rule.name, lines: qualityRule(rule) })),
      }),
    );
    expect(safetyProblems(notebook)).toEqual([]);
  });

  it.each<[string, TargetPlan]>([
    ['iceberg merge', { format: 'iceberg', table: EVIL_NAMES, mode: 'merge', mergeKeys: EVIL_NAMES, partitionBy: [EVIL] }],
    ['iceberg overwrite', { format: 'iceberg', table: EVIL_NAMES, mode: 'overwrite', mergeKeys: [], partitionBy: [] }],
    ['delta table merge', { format: 'delta', table: EVIL_NAMES, mode: 'merge', mergeKeys: [EVIL_SQL], partitionBy: [EVIL] }],
    ['delta path append', { format: 'delta', path: `s3://b/${EVIL_SQL}`, mode: 'append', mergeKeys: [], partitionBy: [] }],
    ['parquet', { format: 'parquet', path: `s3://b/${EVIL}`, mode: 'overwrite', partitionBy: [EVIL] }],
  ])('%s target stays inside string literals, batch and streaming', (_name, target) => {
    for (const streaming of [false, true]) {
      const notebook = assembleNotebook(
        parts({
          target: { label: 'target', lines: targetWriter(target, { streaming, appId: EVIL }) },
          commitGuard: target.format === 'delta' && !streaming,
          quality: [{ label: 'q', lines: qualityRule(ALL_RULES[0]) }],
          streaming: streaming
            ? { outputMode: 'update', checkpointLocation: `s3://b/${EVIL}`, trigger: { processingTime: '1 minute' } }
            : undefined,
        }),
      );
      expect(safetyProblems(notebook)).toEqual([]);
    }
  });

  it('streaming transforms (watermark, windowed aggregate, dedupe) stay inside string literals', () => {
    const lines = [
      ...watermarkTransform(EVIL, '10 minutes'),
      ...aggregateTransform({
        groupBy: [EVIL],
        aggregations: [{ alias: EVIL, fn: 'avg', column: EVIL_SQL }],
        window: { type: 'sliding', column: EVIL, duration: '10 minutes', slide: '5 minutes' },
      }),
      ...dedupeTransform({ columns: [EVIL], streaming: true, hasWatermark: true }),
    ];
    const notebook = assembleNotebook(
      parts({
        source: {
          label: 'kafka',
          lines: kafkaSource({ streaming: true, bootstrapServers: 'k:9092', topics: ['t'] }),
        },
        transforms: [{ label: 'stream', lines }],
        streaming: { outputMode: 'append', checkpointLocation: 's3://b/c', trigger: { availableNow: true } },
      }),
    );
    expect(safetyProblems(notebook)).toEqual([]);
  });
});

describe('emitter validation', () => {
  it('accepts only known column types', () => {
    expect(sparkType('Decimal(18, 2)')).toBe('decimal(18,2)');
    expect(sparkType('LONG')).toBe('bigint');
    expect(() => sparkType('string) ; drop')).toThrow('Unsupported column type');
    expect(() => sparkType('decimal(40,2)')).toThrow('Unsupported column type');
  });

  it('accepts only interval literals for windows and watermarks', () => {
    expect(() => watermarkTransform('ts', '5 minutes") ; x("')).toThrow('Invalid interval');
    expect(() =>
      aggregateTransform({
        groupBy: [],
        aggregations: [],
        window: { type: 'tumbling', column: 'ts', duration: 'soon' },
      }),
    ).toThrow('Invalid interval "soon"');
  });

  it('accepts only known aggregate functions', () => {
    expect(() =>
      aggregateTransform({ groupBy: [], aggregations: [{ alias: 'x', fn: 'exec', column: 'a' }] }),
    ).toThrow('Unsupported aggregate function "exec"');
  });

  it('requires merge keys', () => {
    expect(() =>
      targetWriter(
        { format: 'iceberg', table: ['c', 's', 't'], mode: 'merge', mergeKeys: [], partitionBy: [] },
        { streaming: false, appId: 'p' },
      ),
    ).toThrow('Merge writes need at least one key column');
  });
});
