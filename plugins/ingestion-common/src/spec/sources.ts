import { z } from 'zod';
import {
  bootstrapServers,
  columnMap,
  connectionName,
  consumerGroup,
  dataTypeName,
  identifier,
  storagePath,
  topicName,
} from './fields';
import { inlineSecretMessage, isSecretKey } from './secrets';
import { quoted } from './text';

/*
 * Sources. Credentials are never part of a source: `connection` names a connection that the
 * organization registered (its secrets are stored encrypted by the backend).
 */

const incrementalColumn = identifier('column')
  .optional()
  .describe(
    'Cursor column for incremental loads: each run reads rows whose value is above the last run’s maximum',
  );

const relationalSource = <T extends 'mysql' | 'mariadb' | 'postgres'>(
  type: T,
) =>
  z.strictObject({
    type: z.literal(type),
    connection: connectionName.describe(
      'Name of the organization’s connection holding host and credentials',
    ),
    schema: identifier('schema').optional(),
    table: identifier('table'),
    incremental_column: incrementalColumn,
  });

export const mysqlSourceSchema = relationalSource('mysql');
export const mariadbSourceSchema = relationalSource('mariadb');
export const postgresSourceSchema = relationalSource('postgres');

export const fileSourceSchema = z
  .strictObject({
    type: z.literal('file'),
    path: storagePath({ wildcards: true }).describe(
      'Relative to the organization’s storage root (e.g. raw/orders/*.csv) or s3://bucket/prefix',
    ),
    format: z.enum(['csv', 'json', 'parquet']),
    connection: connectionName
      .optional()
      .describe(
        'Connection with S3 credentials, when the default ones do not apply',
      ),
    header: z
      .boolean()
      .optional()
      .describe('CSV only: the first line names the columns (default true)'),
    delimiter: z
      .string()
      .regex(/^[^\r\n'"\\]$/, 'the delimiter must be a single character')
      .optional()
      .describe('CSV only: field separator (default ,)'),
    columns: columnMap(dataTypeName)
      .optional()
      .describe(
        'streaming only: the files’ columns and types, e.g. {amount: decimal(18, 2)}; every micro-batch is read with them (inferred from the first files and kept in the checkpoint when absent)',
      ),
    max_files_per_trigger: z
      .int()
      .min(1)
      .max(100000)
      .optional()
      .describe(
        'streaming only: at most this many new files per micro-batch (default: all new files)',
      ),
  })
  .superRefine((source, ctx) => {
    if (source.format !== 'csv') {
      (['header', 'delimiter'] as const)
        .filter(option => source[option] !== undefined)
        .forEach(option =>
          ctx.addIssue({
            code: 'custom',
            path: [option],
            message: `\`${option}\` only applies to csv files`,
          }),
        );
    }
  });

export const kafkaSourceSchema = z.strictObject({
  type: z.literal('kafka'),
  bootstrap_servers: bootstrapServers,
  topic: topicName,
  consumer_group: consumerGroup.optional(),
  connection: connectionName
    .optional()
    .describe(
      'Connection with SASL/TLS credentials, if the cluster needs them',
    ),
  starting_offsets: z.enum(['earliest', 'latest']).default('latest'),
  format: z.enum(['json', 'avro', 'string']).default('json'),
});

/** Query parameter names of an HTTP source. */
const PARAM_NAME_PATTERN = /^[A-Za-z0-9_.[\]-]{1,64}$/;
const paramName = z.string().regex(PARAM_NAME_PATTERN, {
  error: issue =>
    `${quoted(
      issue.input,
    )} is not a valid parameter name (letters, digits, _ . - [ ])`,
});
/** Keys of `params`, which must not carry credentials (`api_key`, `token`, ...). */
const paramKey = paramName.refine(name => !isSecretKey(name), {
  error: issue => inlineSecretMessage(String(issue.input)),
});

/** A dotted path into a JSON response, e.g. `data.items`. */
const JSON_PATH_PATTERN =
  /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const jsonPath = z.string().regex(JSON_PATH_PATTERN, {
  error: issue =>
    `${quoted(
      issue.input,
    )} is not a path into the response: write field names separated by dots, e.g. data.items`,
});

const paginationSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({
    type: z.literal('page'),
    page_param: paramName.default('page'),
    size_param: paramName.optional(),
    page_size: z.int().min(1).max(10000).optional(),
    start_page: z.int().min(0).default(1),
  }),
  z.strictObject({
    type: z.literal('offset'),
    offset_param: paramName.default('offset'),
    limit_param: paramName.default('limit'),
    page_size: z.int().min(1).max(10000).default(100),
  }),
  z.strictObject({
    type: z.literal('cursor'),
    cursor_param: paramName,
    next_cursor_path: jsonPath.describe(
      'Where the response holds the next cursor; an empty value ends the pagination',
    ),
  }),
  z.strictObject({ type: z.literal('link_header') }),
]);

/** Why `url` is not an acceptable HTTP source URL, or undefined when it is. */
function urlProblem(url: string): string | undefined {
  // Written percent-encoded, so the URL text is exactly what is requested: no spaces,
  // quotes or control characters that a consumer could mis-handle.
  // eslint-disable-next-line no-control-regex
  if (/[\s'"`<>\\^{|}\u0000-\u001f\u007f]/.test(url)) {
    return 'write the URL percent-encoded: no spaces, quotes, backslashes or control characters';
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${quoted(url)} is not a URL`;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return 'only http:// and https:// URLs are allowed';
  }
  if (parsed.username || parsed.password) {
    return 'URLs may not contain credentials: put them in a connection and set `connection`';
  }
  if (parsed.search || parsed.hash) {
    return 'put query parameters in `params`, not in the URL';
  }
  const rawPath = url.replace(/^[a-z]+:\/\/[^/]*/i, '');
  if (/(^|\/)\.\.?(\/|$)/.test(rawPath)) {
    return 'URLs may not contain `.` or `..` path segments';
  }
  return url.length > 2048 ? 'URLs are limited to 2048 characters' : undefined;
}

export const httpSourceSchema = z.strictObject({
  type: z.literal('http'),
  url: z.string().superRefine((url, ctx) => {
    const problem = urlProblem(url);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
    }
  }),
  connection: connectionName
    .optional()
    .describe('Connection with the API credentials (token, basic auth)'),
  params: z
    .record(paramKey, z.union([z.string().max(500), z.number(), z.boolean()]))
    .optional(),
  records_path: jsonPath
    .optional()
    .describe(
      'Where the response holds the list of records; the whole body when absent',
    ),
  pagination: paginationSchema.default({ type: 'none' }),
  max_pages: z.int().min(1).max(100000).default(1000),
});

export const icebergSourceSchema = z.strictObject({
  type: z.literal('iceberg'),
  catalog: identifier('catalog'),
  schema: identifier('schema'),
  table: identifier('table'),
  incremental_column: incrementalColumn,
});

/** Every source type. */
export const sourceSchema = z.discriminatedUnion('type', [
  mysqlSourceSchema,
  mariadbSourceSchema,
  postgresSourceSchema,
  fileSourceSchema,
  kafkaSourceSchema,
  httpSourceSchema,
  icebergSourceSchema,
]);

/**
 * Datasets a join can read: any source except a Kafka topic (stream-stream joins are out
 * of scope; join a stream with a table instead).
 */
export const joinDatasetSchema = z.discriminatedUnion('type', [
  mysqlSourceSchema,
  mariadbSourceSchema,
  postgresSourceSchema,
  fileSourceSchema,
  httpSourceSchema,
  icebergSourceSchema,
]);
