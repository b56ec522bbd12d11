/**
 * Source readers: each returns the Python lines of a cell that leaves the raw data in `source_df`.
 */
import { pyCol, pyLiteral, pyStr, sparkTableName } from '../python';
import { indent } from '../notebook';

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

/** Quotes a (possibly schema-qualified) table name for the source database. */
function jdbcTableName(dialect: JdbcDialect, table: string): string {
  const quote =
    dialect === 'postgres'
      ? (part: string) => `"${part.replace(/"/g, '""')}"`
      : (part: string) => `\`${part.replace(/`/g, '``')}\``;
  return table.split('.').map(quote).join('.');
}

/** A chained `.option(k, v)` builder expression, one option per line. */
function reader(head: string, options: Array<[string, string]>, tail: string): string[] {
  return [
    'source_df = (',
    `    ${head}`,
    ...options.map(([key, value]) => `    .option(${pyStr(key)}, ${value})`),
    `    ${tail}`,
    ')',
  ];
}

/**
 * A JDBC table read. The URL and credentials come from the connection's secret scope; the table name is
 * quoted for the database, so it is a name and never SQL.
 */
export function jdbcSource(options: {
  dialect: JdbcDialect;
  scope: string;
  table: string;
}): string[] {
  const { dialect, scope, table } = options;
  return reader(
    'spark.read.format("jdbc")',
    [
      ['url', secret(scope, 'url')],
      ['user', secret(scope, 'user')],
      ['password', secret(scope, 'password')],
      ['driver', pyStr(JDBC_DRIVERS[dialect])],
      ['dbtable', pyStr(jdbcTableName(dialect, table))],
      ['fetchsize', pyStr('10000')],
    ],
    '.load()',
  );
}

/** Files (CSV, JSON, Parquet); streaming reads use Auto Loader with its schema kept under the checkpoint. */
export function fileSource(options: {
  format: 'csv' | 'json' | 'parquet';
  uri: string;
  streaming: boolean;
  schemaDdl?: string;
  readerOptions: Record<string, string>;
  checkpoint?: string;
}): string[] {
  const { format, uri, streaming, schemaDdl, readerOptions } = options;
  const entries: Array<[string, string]> = Object.entries(readerOptions).map(([k, v]) => [
    k,
    pyStr(v),
  ]);
  if (streaming) {
    entries.unshift(['cloudFiles.format', pyStr(format)]);
    if (!schemaDdl) {
      entries.push(['cloudFiles.schemaLocation', pyStr(`${options.checkpoint}/_schema`)]);
    }
  }
  const head = streaming ? 'spark.readStream.format("cloudFiles")' : `spark.read.format(${pyStr(format)})`;
  return reader(
    schemaDdl ? `${head}.schema(${pyStr(schemaDdl)})` : head,
    entries,
    `.load(${pyStr(uri)})`,
  );
}

/**
 * Kafka, as a stream or (batch) everything currently in the topic. With a connection, SASL/PLAIN over TLS with
 * the credentials from its secret scope. With a value schema, JSON values are parsed into columns next to the
 * record's key and timestamp.
 */
export function kafkaSource(options: {
  streaming: boolean;
  bootstrapServers: string;
  topics: string[];
  consumerGroup?: string;
  startingOffsets?: string;
  scope?: string;
  valueSchemaDdl?: string;
}): string[] {
  const { streaming, scope } = options;
  const entries: Array<[string, string]> = [
    ['kafka.bootstrap.servers', pyStr(options.bootstrapServers)],
    ['subscribe', pyStr(options.topics.join(','))],
    ['startingOffsets', pyStr(options.startingOffsets ?? (streaming ? 'latest' : 'earliest'))],
  ];
  if (!streaming) {
    entries.push(['endingOffsets', pyStr('latest')]);
  }
  if (options.consumerGroup) {
    entries.push(['kafka.group.id', pyStr(options.consumerGroup)]);
  }
  const lines: string[] = [];
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
    entries.push(
      ['kafka.security.protocol', pyStr('SASL_SSL')],
      ['kafka.sasl.mechanism', pyStr('PLAIN')],
      [
        'kafka.sasl.jaas.config',
        'f\'kafkashaded.org.apache.kafka.common.security.plain.PlainLoginModule required username="{_kafka_user}" password="{_kafka_password}";\'',
      ],
    );
  }
  lines.push(
    ...reader(streaming ? 'spark.readStream.format("kafka")' : 'spark.read.format("kafka")', entries, '.load()'),
  );
  if (options.valueSchemaDdl) {
    lines.push(
      `VALUE_SCHEMA = ${pyStr(options.valueSchemaDdl)}`,
      'source_df = source_df.select(',
      '    F.col("key").cast("string").alias("kafka_key"),',
      '    F.col("timestamp").alias("kafka_timestamp"),',
      '    F.from_json(F.col("value").cast("string"), VALUE_SCHEMA).alias("_value"),',
      ').select("kafka_key", "kafka_timestamp", "_value.*")',
    );
  } else {
    lines.push(
      'source_df = source_df.select(',
      '    F.col("key").cast("string").alias("key"),',
      '    F.col("value").cast("string").alias("value"),',
      '    "topic", "partition", "offset", "timestamp",',
      ')',
    );
  }
  return lines;
}

/** Pagination of an HTTP JSON API. */
export type HttpPagination =
  | { type: 'none' }
  /** `?<param>=1,2,…` until a page comes back empty. */
  | { type: 'page'; param: string; sizeParam?: string; size?: number }
  /** `?<param>=0,n,2n,…` with `limitParam=n`, until a page is shorter than `n`. */
  | { type: 'offset'; param: string; limitParam: string; limit: number }
  /** The body field at `path` holds the next cursor, sent back as `?<param>=`. */
  | { type: 'cursor'; param: string; path: string[] }
  /** The body field at `path` holds the next page's URL. */
  | { type: 'next_url'; path: string[] };

/**
 * Paginated JSON over HTTP GET, collected on the driver (meant for API-sized data) and turned into a DataFrame,
 * with the declared schema or an inferred one. `recordsPath` locates the record array in each response body.
 */
export function httpSource(options: {
  url: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  scope?: string;
  recordsPath: string[];
  pagination: HttpPagination;
  maxPages: number;
  schemaDdl?: string;
}): string[] {
  const { pagination } = options;
  const loop: string[] = [];
  switch (pagination.type) {
    case 'none':
      loop.push('break');
      break;
    case 'page':
      loop.push(
        'if not records_page:',
        '    break',
        `params[${pyStr(pagination.param)}] = int(params[${pyStr(pagination.param)}]) + 1`,
      );
      break;
    case 'offset':
      loop.push(
        `if len(records_page) < ${pagination.limit}:`,
        '    break',
        `params[${pyStr(pagination.param)}] = int(params[${pyStr(pagination.param)}]) + ${pagination.limit}`,
      );
      break;
    case 'cursor':
      loop.push(
        `next_cursor = _dig(body, ${pyLiteral(pagination.path)})`,
        'if not next_cursor or not records_page:',
        '    break',
        `params[${pyStr(pagination.param)}] = next_cursor`,
      );
      break;
    case 'next_url':
      loop.push(
        `url = _dig(body, ${pyLiteral(pagination.path)})`,
        'if not url:',
        '    break',
        // The next URL carries its own query string.
        'params = {}',
      );
      break;
    default:
      throw new Error(`Unsupported HTTP pagination ${(pagination as { type: string }).type}`);
  }
  const initialParams = { ...options.query };
  if (pagination.type === 'page') {
    initialParams[pagination.param] ??= '1';
    if (pagination.sizeParam && pagination.size) {
      initialParams[pagination.sizeParam] = String(pagination.size);
    }
  } else if (pagination.type === 'offset') {
    initialParams[pagination.param] ??= '0';
    initialParams[pagination.limitParam] = String(pagination.limit);
  }
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
    'def _fetch_records():',
    `    headers = ${pyLiteral({ Accept: 'application/json', ...options.headers })}`,
    ...(options.scope
      ? [`    headers["Authorization"] = "Bearer " + ${secret(options.scope, 'token')}`]
      : []),
    `    url = ${pyStr(options.url)}`,
    `    params = ${pyLiteral(initialParams)}`,
    '    records = []',
    `    for _ in range(${options.maxPages}):`,
    '        response = requests.get(url, headers=headers, params=params, timeout=60)',
    '        response.raise_for_status()',
    '        body = response.json()',
    options.recordsPath.length > 0
      ? `        records_page = _dig(body, ${pyLiteral(options.recordsPath)})`
      : '        records_page = body',
    '        if not isinstance(records_page, list):',
    '            raise ValueError(f"Expected a JSON array of records from {url}")',
    '        records.extend(records_page)',
    ...indent(loop, 2),
    '    else:',
    `        raise RuntimeError("HTTP source still had pages after ${options.maxPages} requests")`,
    '    return records',
    '',
    '',
    '_records = _fetch_records()',
    options.schemaDdl
      ? `source_df = spark.read.schema(${pyStr(options.schemaDdl)}).json(spark.sparkContext.parallelize([json.dumps(r) for r in _records]))`
      : 'source_df = spark.read.json(spark.sparkContext.parallelize([json.dumps(r) for r in _records]))',
  ];
}

/** A table in the catalog (e.g. the Iceberg table another pipeline writes). */
export function tableSource(options: { table: string[]; streaming: boolean }): string[] {
  const read = options.streaming ? 'spark.readStream' : 'spark.read';
  return [`source_df = ${read}.table(${pyStr(sparkTableName(options.table))})`];
}

/**
 * Incremental batch loads: keep only rows past the watermark job parameter, compared in the cursor column's
 * own type (for JDBC, Spark pushes the predicate down to the database).
 */
export function incrementalFilter(cursor: string): string[] {
  return [
    'if WATERMARK is not None:',
    `    _cursor_type = source_df.schema[${pyStr(cursor)}].dataType`,
    `    source_df = source_df.filter(${pyCol(cursor)} > F.lit(WATERMARK).cast(_cursor_type))`,
  ];
}
