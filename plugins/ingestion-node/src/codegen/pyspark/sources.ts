/**
 * Dataset readers: each returns the Python lines that leave a DataFrame in the variable `into` (`source_df` for
 * the pipeline source, another name for a joined dataset).
 */
import {
  pyCol,
  pyLiteral,
  pyStr,
  quoteSparkIdentifier,
  sparkTableName,
} from '../python';
import { indent } from '../notebook';
import { COMMIT_PROPERTIES } from './runtime';
import { watermarkMarkerPath } from './targets';

/** Databricks Runtime ships the MariaDB driver (which also accepts `jdbc:mysql:` URLs) and PostgreSQL's. */
const JDBC_DRIVERS = {
  mysql: 'org.mariadb.jdbc.Driver',
  mariadb: 'org.mariadb.jdbc.Driver',
  postgres: 'org.postgresql.Driver',
} as const;

export type JdbcDialect = keyof typeof JDBC_DRIVERS;

function secret(scope: string, key: string): string {
  return `dbutils.secrets.get(scope=${pyStr(scope)}, key=${pyStr(key)})`;
}

/** Quotes a table name, optionally schema-qualified, for the source database. */
function jdbcTableName(dialect: JdbcDialect, parts: string[]): string {
  const quote =
    dialect === 'postgres'
      ? (part: string) => `"${part.replace(/"/g, '""')}"`
      : (part: string) => `\`${part.replace(/`/g, '``')}\``;
  return parts.map(quote).join('.');
}

/** `into = (head .option(k, v)... tail)`, one option (and one tail call) per line. */
function reader(
  into: string,
  head: string,
  options: Array<[string, string]>,
  ...tail: string[]
): string[] {
  return [
    `${into} = (`,
    `    ${head}`,
    ...options.map(([key, value]) => `    .option(${pyStr(key)}, ${value})`),
    ...tail.map(call => `    ${call}`),
    ')',
  ];
}

/** Reader options whose values are plain strings. */
const stringOptions = (options: Record<string, string>) =>
  Object.entries(options).map(
    ([key, value]) => [key, pyStr(value)] as [string, string],
  );

/**
 * A JDBC table read. The URL and credentials come from the connection's secret scope; the table name is
 * quoted for the database, so it is a name and never SQL.
 */
export function jdbcSource(options: {
  into: string;
  dialect: JdbcDialect;
  scope: string;
  table: string[];
}): string[] {
  const { dialect, scope } = options;
  return reader(
    options.into,
    'spark.read.format("jdbc")',
    [
      ['url', secret(scope, 'url')],
      ['user', secret(scope, 'user')],
      ['password', secret(scope, 'password')],
      ['driver', pyStr(JDBC_DRIVERS[dialect])],
      ['dbtable', pyStr(jdbcTableName(dialect, options.table))],
      ['fetchsize', pyStr('10000')],
    ],
    '.load()',
  );
}

/**
 * Files (CSV, JSON lines, Parquet). With a connection, the bucket's S3 credentials come from its secret scope
 * (otherwise the cluster's instance profile applies).
 */
export function fileSource(options: {
  into: string;
  format: 'csv' | 'json' | 'parquet';
  uri: string;
  readerOptions: Record<string, string>;
  scope?: string;
}): string[] {
  const { format, uri } = options;
  return [
    ...s3Credentials(uri, options.scope),
    ...reader(
      options.into,
      `spark.read.format(${pyStr(format)})`,
      stringOptions(options.readerOptions),
      `.load(${pyStr(uri)})`,
    ),
  ];
}

/** Bucket-scoped S3A credentials from a connection's secret scope (none without a connection). */
function s3Credentials(uri: string, scope: string | undefined): string[] {
  if (!scope) {
    return [];
  }
  const bucket = /^s3:\/\/([^/]+)/.exec(uri)?.[1];
  if (!bucket) {
    throw new Error(
      `S3 credentials from a connection need an s3:// path, not "${uri}"`,
    );
  }
  const conf = (key: string) => pyStr(`fs.s3a.bucket.${bucket}.${key}`);
  return [
    `spark.conf.set(${conf('access.key')}, ${secret(scope, 'access_key_id')})`,
    `spark.conf.set(${conf('secret.key')}, ${secret(
      scope,
      'secret_access_key',
    )})`,
  ];
}

/**
 * Files arriving in a folder, as a stream: Auto Loader (`cloudFiles`) lists only what is new since the last
 * micro-batch and records the files it has taken in the stream's checkpoint, so none is read twice or skipped
 * after a restart. Declared columns are the schema; without them Auto Loader infers the types once and keeps
 * the schema under `schemaLocation`, so every micro-batch reads the same columns.
 */
export function streamingFileSource(options: {
  format: 'csv' | 'json' | 'parquet';
  uri: string;
  readerOptions: Record<string, string>;
  scope?: string;
  /** Spark types by column name. */
  columns?: Record<string, string>;
  maxFilesPerTrigger?: number;
  schemaLocation: string;
}): string[] {
  const { columns, maxFilesPerTrigger } = options;
  const autoLoader: Record<string, string> = {
    'cloudFiles.format': options.format,
    ...(columns
      ? {}
      : {
          'cloudFiles.schemaLocation': options.schemaLocation,
          'cloudFiles.inferColumnTypes': 'true',
        }),
    ...(maxFilesPerTrigger
      ? { 'cloudFiles.maxFilesPerTrigger': String(maxFilesPerTrigger) }
      : {}),
  };
  const schema = columns
    ? Object.entries(columns)
        .map(([name, type]) => `${quoteSparkIdentifier(name)} ${type}`)
        .join(', ')
    : undefined;
  return [
    ...s3Credentials(options.uri, options.scope),
    ...(schema ? [`SOURCE_SCHEMA = ${pyStr(schema)}`] : []),
    ...reader(
      'source_df',
      'spark.readStream.format("cloudFiles")',
      stringOptions({ ...autoLoader, ...options.readerOptions }),
      ...(schema ? ['.schema(SOURCE_SCHEMA)'] : []),
      `.load(${pyStr(options.uri)})`,
    ),
  ];
}

/**
 * Kafka, as a stream or (batch) the offsets currently in the topic. With a connection, SASL/PLAIN over TLS with
 * the credentials from its secret scope. JSON values become columns next to the record `timestamp`: the spec
 * declares no value schema, so it is inferred once from the records already in the topic.
 */
export function kafkaSource(options: {
  streaming: boolean;
  bootstrapServers: string;
  topic: string;
  startingOffsets: 'earliest' | 'latest';
  consumerGroup?: string;
  scope?: string;
  format: 'json' | 'string' | 'avro';
}): string[] {
  const { streaming, scope, format } = options;
  if (format === 'avro') {
    throw new Error(
      'Kafka sources with Avro values are not supported by Databricks code generation (the spec names no schema registry)',
    );
  }
  const lines: string[] = [];
  const connection: Array<[string, string]> = [
    ['kafka.bootstrap.servers', pyStr(options.bootstrapServers)],
    ['subscribe', pyStr(options.topic)],
  ];
  if (scope) {
    lines.push(
      'def _jaas_quote(value):',
      '    return value.replace("\\\\", "\\\\\\\\").replace(\'"\', \'\\\\"\')',
      '',
      '',
      `_kafka_user = _jaas_quote(${secret(scope, 'username')})`,
      `_kafka_password = _jaas_quote(${secret(scope, 'password')})`,
      '',
    );
    connection.push(
      ['kafka.security.protocol', pyStr('SASL_SSL')],
      ['kafka.sasl.mechanism', pyStr('PLAIN')],
      [
        'kafka.sasl.jaas.config',
        'f\'kafkashaded.org.apache.kafka.common.security.plain.PlainLoginModule required username="{_kafka_user}" password="{_kafka_password}";\'',
      ],
    );
  }
  if (format === 'json') {
    lines.push(
      '# The spec declares no value schema: infer it from (up to 10,000) records already in the topic.',
      ...reader(
        '_sample',
        'spark.read.format("kafka")',
        [
          ...connection,
          ['startingOffsets', pyStr('earliest')],
          ['endingOffsets', pyStr('latest')],
        ],
        '.load()',
      ),
      '_sample_values = _sample.select(F.col("value").cast("string").alias("value")).limit(10000)',
      'VALUE_SCHEMA = spark.read.json(_sample_values.rdd.map(lambda row: row.value)).schema',
      'if not VALUE_SCHEMA.fields:',
      `    raise ValueError(${pyStr(
        `No JSON records in topic ${options.topic} to infer the value schema from`,
      )})`,
      '',
    );
  }
  const entries: Array<[string, string]> = [
    ...connection,
    ['startingOffsets', pyStr(options.startingOffsets)],
    ...(streaming
      ? []
      : ([['endingOffsets', pyStr('latest')]] as Array<[string, string]>)),
    ...(options.consumerGroup
      ? ([['kafka.group.id', pyStr(options.consumerGroup)]] as Array<
          [string, string]
        >)
      : []),
  ];
  lines.push(
    ...reader(
      'source_df',
      streaming
        ? 'spark.readStream.format("kafka")'
        : 'spark.read.format("kafka")',
      entries,
      '.load()',
    ),
  );
  if (format === 'json') {
    lines.push(
      '# The record timestamp is the event time windows use by default; a value field of that name yields to it.',
      'source_df = source_df.select(',
      '    F.col("timestamp"),',
      '    F.from_json(F.col("value").cast("string"), VALUE_SCHEMA).alias("_value"),',
      ').select(',
      '    "timestamp",',
      '    *[F.col("_value")[field.name].alias(field.name) for field in VALUE_SCHEMA.fields if field.name != "timestamp"],',
      ')',
    );
  } else {
    lines.push(
      'source_df = source_df.select(',
      '    F.col("key").cast("string").alias("key"),',
      '    F.col("value").cast("string").alias("value"),',
      '    F.col("timestamp"),',
      ')',
    );
  }
  return lines;
}

/** Pagination of an HTTP JSON API, as in the spec. */
export type HttpPagination =
  | { type: 'none' }
  | {
      type: 'page';
      page_param: string;
      size_param?: string;
      page_size?: number;
      start_page: number;
    }
  | {
      type: 'offset';
      offset_param: string;
      limit_param: string;
      page_size: number;
    }
  | { type: 'cursor'; cursor_param: string; next_cursor_path: string }
  | { type: 'link_header' };

/** Python statements that prepare the next request, or `break` when the last page was read. */
function nextPage(pagination: HttpPagination): string[] {
  switch (pagination.type) {
    case 'none':
      return ['break'];
    case 'page':
      return [
        'if not records_page:',
        '    break',
        `params[${pyStr(pagination.page_param)}] += 1`,
      ];
    case 'offset':
      return [
        `if len(records_page) < ${pagination.page_size}:`,
        '    break',
        `params[${pyStr(pagination.offset_param)}] += ${pagination.page_size}`,
      ];
    case 'cursor':
      return [
        `next_cursor = _dig(body, ${pyLiteral(
          pagination.next_cursor_path.split('.'),
        )})`,
        'if next_cursor in (None, "") or not records_page:',
        '    break',
        `params[${pyStr(pagination.cursor_param)}] = next_cursor`,
      ];
    case 'link_header':
      return [
        'url = response.links.get("next", {}).get("url")',
        'if not url:',
        '    break',
        '# The next link carries its own query string.',
        'params = {}',
      ];
    default:
      throw new Error(
        `Unsupported HTTP pagination ${(pagination as { type: string }).type}`,
      );
  }
}

function initialParams(
  params: Record<string, string | number | boolean>,
  pagination: HttpPagination,
): Record<string, string | number | boolean> {
  switch (pagination.type) {
    case 'page':
      return {
        ...params,
        [pagination.page_param]: pagination.start_page,
        ...(pagination.size_param && pagination.page_size
          ? { [pagination.size_param]: pagination.page_size }
          : {}),
      };
    case 'offset':
      return {
        ...params,
        [pagination.offset_param]: 0,
        [pagination.limit_param]: pagination.page_size,
      };
    default:
      return { ...params };
  }
}

/**
 * Paginated JSON over HTTP GET, collected on the driver (API-sized data) and read as JSON, with an inferred
 * schema. A connection's scope provides a bearer `token`, or else `username` and `password` for basic auth.
 * `max_pages` caps the requests; reaching it is recorded in the run summary.
 */
export function httpSource(options: {
  into: string;
  url: string;
  params: Record<string, string | number | boolean>;
  scope?: string;
  recordsPath?: string;
  pagination: HttpPagination;
  maxPages: number;
}): string[] {
  const fn = `_fetch_${options.into}`;
  const auth = options.scope
    ? [
        `    _keys = {s.key for s in dbutils.secrets.list(${pyStr(
          options.scope,
        )})}`,
        '    if "token" in _keys:',
        `        headers["Authorization"] = "Bearer " + ${secret(
          options.scope,
          'token',
        )}`,
        '    else:',
        `        auth = (${secret(options.scope, 'username')}, ${secret(
          options.scope,
          'password',
        )})`,
      ]
    : [];
  return [
    'import requests',
    '',
    '',
    'def _dig(value, path):',
    '    for key in path:',
    '        value = value.get(key) if isinstance(value, dict) else None',
    '    return value',
    '',
    '',
    `def ${fn}():`,
    '    headers = {"Accept": "application/json"}',
    '    auth = None',
    ...auth,
    `    url = ${pyStr(options.url)}`,
    `    params = ${pyLiteral(
      initialParams(options.params, options.pagination),
    )}`,
    '    records = []',
    `    for _ in range(${options.maxPages}):`,
    '        response = requests.get(url, headers=headers, params=params, auth=auth, timeout=60)',
    '        response.raise_for_status()',
    '        body = response.json()',
    options.recordsPath
      ? `        records_page = _dig(body, ${pyLiteral(
          options.recordsPath.split('.'),
        )})`
      : '        records_page = body',
    '        if not isinstance(records_page, list):',
    '            raise ValueError(f"Expected a JSON array of records from {url}")',
    '        records.extend(records_page)',
    ...indent(nextPage(options.pagination), 2),
    '    else:',
    `        print("Stopped after max_pages (${options.maxPages}) requests; later pages were not read.")`,
    '        SUMMARY["http_pages_truncated"] = True',
    '    return records',
    '',
    '',
    `${options.into} = spark.read.json(spark.sparkContext.parallelize([json.dumps(r) for r in ${fn}()]))`,
  ];
}

/** A table in the catalog (e.g. the Iceberg table another pipeline writes). */
export function tableSource(options: {
  into: string;
  table: string[];
  streaming: boolean;
}): string[] {
  const read = options.streaming ? 'spark.readStream' : 'spark.read';
  return [
    `${options.into} = ${read}.table(${pyStr(sparkTableName(options.table))})`,
  ];
}

/** The target an incremental load continues from when no watermark was passed. */
export type HighWaterMarkTarget =
  | { format: 'iceberg'; table: string[] }
  | { format: 'delta' | 'parquet'; path: string };

/** Python that reads the target as a DataFrame into `_target`, or sets it to None when there is none yet. */
function readTarget(target: HighWaterMarkTarget): string[] {
  if (target.format === 'iceberg') {
    const name = pyStr(sparkTableName(target.table));
    return [
      `_target = spark.read.table(${name}) if spark.catalog.tableExists(${name}) else None`,
    ];
  }
  return [
    '# A missing path raises AnalysisException, whose module moved between PySpark versions.',
    'try:',
    `    _target = spark.read.format(${pyStr(target.format)}).load(${pyStr(
      target.path,
    )})`,
    'except Exception:',
    '    _target = None',
  ];
}

/**
 * Python that reads the commit properties the target's writes recorded, newest first, into `_commits`: the
 * Iceberg snapshot summaries, Delta's `userMetadata` (JSON), or the Parquet `_watermark` marker (JSON).
 */
function readCommits(target: HighWaterMarkTarget): string[] {
  if (target.format === 'iceberg') {
    const name = sparkTableName(target.table);
    return [
      `if spark.catalog.tableExists(${pyStr(name)}):`,
      `    _commits = [r[0] for r in spark.sql(${pyStr(
        `SELECT summary FROM ${name}.snapshots ORDER BY committed_at DESC`,
      )}).collect()]`,
      'else:',
      '    _commits = []',
    ];
  }
  const read =
    target.format === 'delta'
      ? `spark.sql(${pyStr(
          `DESCRIBE HISTORY delta.${quoteSparkIdentifier(target.path)}`,
        )}).select("userMetadata")`
      : `spark.read.text(${pyStr(watermarkMarkerPath(target.path))})`;
  return [
    'try:',
    `    _commits = [r[0] for r in ${read}.collect()]`,
    'except Exception:',
    '    _commits = []',
  ];
}

/** The newest recorded high-water mark in `_commits` (dicts or JSON text; other writers' commits have none). */
const RECORDED_WATERMARK = [
  '',
  'def recorded_watermark(commits):',
  '    for properties in commits:',
  '        if isinstance(properties, str):',
  '            try:',
  '                properties = json.loads(properties)',
  '            except ValueError:',
  '                continue',
  `        if isinstance(properties, dict) and properties.get(${pyStr(
    COMMIT_PROPERTIES.watermark,
  )}) is not None:`,
  `            return properties[${pyStr(COMMIT_PROPERTIES.watermark)}]`,
  '    return None',
  '',
  '',
];

/**
 * Incremental batch loads: keep only rows past the watermark job parameter, compared in the cursor column's
 * own type (for JDBC, Spark pushes the predicate down to the database).
 *
 * The backend passes its watermark to every run it starts (runs/submit, run-now). A run the job's own
 * Databricks schedule starts gets an empty parameter (and no `full_refresh`), so it continues from the high-water mark the last
 * incremental write recorded with its commit (which survives targets that aggregate the cursor away), else
 * from the largest cursor value the target holds (targets written before commits recorded it). Otherwise
 * (first run, or an aggregated target without a recorded mark) it reads everything.
 */
export function incrementalFilter(
  cursor: string,
  target?: HighWaterMarkTarget,
): string[] {
  const fallback = target
    ? [
        ...RECORDED_WATERMARK,
        'SUMMARY["watermark_source"] = "parameter" if WATERMARK is not None else None',
        'if WATERMARK is None and not FULL_REFRESH:',
        "    # Started by the job's own schedule: continue after what the target's last incremental write read.",
        ...indent(readCommits(target)),
        '    WATERMARK = recorded_watermark(_commits)',
        '    if WATERMARK is not None:',
        '        SUMMARY["watermark"] = WATERMARK',
        '        SUMMARY["watermark_source"] = "commit"',
        '    else:',
        ...indent(readTarget(target), 2),
        `        if _target is not None and ${pyStr(
          cursor,
        )} in _target.columns:`,
        `            _high = _target.agg(F.max(${pyCol(cursor)})).first()[0]`,
        '            if _high is not None:',
        '                WATERMARK = _high.isoformat() if hasattr(_high, "isoformat") else str(_high)',
        '                SUMMARY["watermark"] = WATERMARK',
        '                SUMMARY["watermark_source"] = "target"',
        '        elif _target is not None:',
        `            print(${pyStr(
          `The target has no column ${cursor} and no recorded watermark to continue from; reading every source row.`,
        )})`,
        '',
      ]
    : [];
  return [
    ...fallback,
    'if WATERMARK is not None:',
    `    _cursor_type = source_df.schema[${pyStr(cursor)}].dataType`,
    `    source_df = source_df.filter(${pyCol(
      cursor,
    )} > F.lit(WATERMARK).cast(_cursor_type))`,
  ];
}
