import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import {
  formatDataType,
  IDENTIFIER_PATTERN,
  parseDataType,
  parseExpression,
} from '../expression';
import { IDENTIFIER_RULE } from '../expression/identifiers';
import { closestMatch } from '../expression/suggest';
import { quoted } from './text';

/*
 * Field schemas shared by the spec's sections. Each rule is a documented regular expression
 * or a parser, and each failure message says what to write instead.
 */

/**
 * Kafka topic names, as Kafka itself restricts them (and never `.` or `..`).
 * @public
 */
export const TOPIC_PATTERN = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,249}$/;

/**
 * Names of connections (credentials stored per organization): lower-case letters, digits
 * and `-`, like `finance-db`. A URL or `user:password@host` can never match.
 * @public
 */
export const CONNECTION_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Kafka consumer group ids.
 * @public
 */
export const CONSUMER_GROUP_PATTERN = /^[A-Za-z0-9._-]{1,255}$/;

/**
 * Kafka bootstrap servers: comma-separated `host:port` pairs.
 * @public
 */
export const BOOTSTRAP_SERVERS_PATTERN =
  /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}:\d{1,5}(?:\s*,\s*[A-Za-z0-9][A-Za-z0-9.-]{0,252}:\d{1,5})*$/;

/**
 * One segment of a storage path: letters, digits and `._=-`, plus `*` and `?` wildcards in
 * source paths. No `..`, no empty segments, no backslashes.
 * @public
 */
export const PATH_SEGMENT_PATTERN = /^[A-Za-z0-9._=*?-]+$/;

/**
 * S3 bucket names as AWS restricts them.
 * @public
 */
export const S3_BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Durations such as `5 minutes`, `1 hour`, `30 seconds`, `7 days`.
 * @public
 */
export const DURATION_PATTERN =
  /^(\d{1,6})\s+(second|minute|hour|day|week)s?$/i;

const MAX_PATH_LENGTH = 1024;

const UNIT_SECONDS: Record<string, number> = {
  second: 1,
  minute: 60,
  hour: 3600,
  day: 86400,
  week: 604800,
};

/**
 * The length of a duration such as `5 minutes` in seconds, or undefined if it is not one.
 * @public
 */
export function parseDurationSeconds(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) {
    return undefined;
  }
  return Number(match[1]) * UNIT_SECONDS[match[2].toLowerCase()];
}

/** A safe identifier naming a `what` (column, table, ...). */
export const identifier = (what: string) =>
  z.string().regex(IDENTIFIER_PATTERN, {
    error: issue =>
      `${quoted(issue.input)} is not a valid ${what} name: ${IDENTIFIER_RULE}`,
  });

/** A list of distinct identifiers, non-empty unless `allowEmpty`. */
export const identifierList = (what: string, { allowEmpty = false } = {}) =>
  z
    .array(identifier(what))
    .min(allowEmpty ? 0 : 1, `list at least one ${what}`)
    .max(1000)
    .superRefine((names, ctx) => {
      names.forEach((name, index) => {
        if (names.indexOf(name) !== index) {
          ctx.addIssue({
            code: 'custom',
            path: [index],
            message: `${quoted(name)} is listed twice`,
          });
        }
      });
    });

/** A non-empty mapping whose keys are column names. */
export const columnMap = <T extends z.ZodType>(value: T) =>
  z
    .record(identifier('column'), value)
    .refine(map => Object.keys(map).length > 0, 'list at least one column');

export const connectionName = z.string().regex(CONNECTION_NAME_PATTERN, {
  error: issue =>
    `${quoted(
      issue.input,
    )} is not a connection name: name a connection of your organization (lower-case letters, digits and -, e.g. finance-db); URLs and credentials never go in the spec`,
});

export const topicName = z.string().regex(TOPIC_PATTERN, {
  error: issue =>
    `${quoted(
      issue.input,
    )} is not a valid Kafka topic: use letters, digits, '.', '_' and '-' (at most 249 characters)`,
});

export const consumerGroup = z.string().regex(CONSUMER_GROUP_PATTERN, {
  error: issue =>
    `${quoted(
      issue.input,
    )} is not a valid consumer group: use letters, digits, '.', '_' and '-'`,
});

export const bootstrapServers = z
  .string()
  .regex(BOOTSTRAP_SERVERS_PATTERN, {
    error: issue =>
      `${quoted(
        issue.input,
      )} is not a list of Kafka brokers: write host:port pairs separated by commas, e.g. kafka-1:9092,kafka-2:9092`,
  })
  .refine(
    servers =>
      servers.split(',').every(server => Number(server.split(':')[1]) <= 65535),
    'a port must be at most 65535',
  );

/** Why `path` is not an acceptable storage path, or undefined when it is. */
function storagePathProblem(
  path: string,
  allowWildcards: boolean,
): string | undefined {
  if (path.length > MAX_PATH_LENGTH) {
    return `paths are limited to ${MAX_PATH_LENGTH} characters`;
  }
  let segments: string;
  if (path.startsWith('s3://')) {
    const [bucket, ...rest] = path.slice('s3://'.length).split('/');
    if (!S3_BUCKET_PATTERN.test(bucket)) {
      return `${quoted(
        bucket,
      )} is not a valid S3 bucket name (3-63 lower-case letters, digits, '.' and '-')`;
    }
    segments = rest.join('/');
  } else if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(path)) {
    return `only paths relative to the organization's storage and s3://bucket/prefix URIs are allowed, not ${quoted(
      path.split(':')[0],
    )}:`;
  } else if (/^[/\\~]/.test(path)) {
    return "absolute paths are not allowed: give a path relative to the organization's storage root, e.g. raw/orders/*.csv";
  } else {
    segments = path;
  }
  if (segments.includes('\\')) {
    return 'use / to separate path segments';
  }
  const parts = segments.replace(/\/$/, '').split('/');
  if (segments === '' && !path.startsWith('s3://')) {
    return 'the path is empty';
  }
  for (const part of segments === '' ? [] : parts) {
    if (part === '..') {
      return "`..` is not allowed: paths must stay inside the organization's storage";
    }
    if (part === '' || part === '.') {
      return 'paths may not contain empty or `.` segments';
    }
    if (!PATH_SEGMENT_PATTERN.test(part)) {
      return `${quoted(
        part,
      )} is not a valid path segment: use letters, digits and . _ = -`;
    }
    if (!allowWildcards && /[*?]/.test(part)) {
      return 'wildcards (* and ?) are only allowed in source paths';
    }
  }
  return undefined;
}

/**
 * A storage location: a path relative to the organization's storage root (never absolute,
 * never with `..`) or an `s3://bucket/prefix` URI.
 */
export const storagePath = (options: { wildcards: boolean }) =>
  z.string().superRefine((path, ctx) => {
    const problem = storagePathProblem(path, options.wildcards);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
    }
  });

export const duration = z.string().regex(DURATION_PATTERN, {
  error: issue =>
    `${quoted(
      issue.input,
    )} is not a duration: write a whole number and a unit, e.g. "5 minutes", "1 hour", "30 seconds"`,
});

/** A 5-field cron expression (minute hour day-of-month month day-of-week). */
export const cronExpression = z.string().superRefine((cron, ctx) => {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    ctx.addIssue({
      code: 'custom',
      message: `${quoted(
        cron,
      )} is not a 5-field cron expression (minute hour day-of-month month day-of-week), e.g. "0 2 * * *" for 02:00 every day`,
    });
    return;
  }
  try {
    CronExpressionParser.parse(cron, { tz: 'UTC' });
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: `${quoted(cron)} is not a valid cron expression: ${
        (error as Error).message
      }`,
    });
  }
});

export const timeZone = z.string().superRefine((zone, ctx) => {
  let valid = /^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/.test(zone);
  if (valid) {
    try {
      // Accepts IANA names and their aliases (e.g. UTC, US/Eastern); throws for anything else.
      new Intl.DateTimeFormat('en-US', { timeZone: zone }).format(0);
    } catch {
      valid = false;
    }
  }
  if (!valid) {
    const suggestion = closestMatch(zone, Intl.supportedValuesOf('timeZone'));
    ctx.addIssue({
      code: 'custom',
      message: `${quoted(
        zone,
      )} is not an IANA time zone such as UTC or Europe/Berlin${
        suggestion ? `; did you mean \`${suggestion}\`?` : ''
      }`,
    });
  }
});

/**
 * An expression of the expression language, parsed here so that its problems are reported
 * at the spec path with the position inside the expression. The text is kept as written;
 * consumers parse it again (it is guaranteed to parse) and render it for their engine.
 */
export const expression = (options: { condition: boolean }) =>
  z.string().superRefine((text, ctx) => {
    const result = parseExpression(
      text,
      options.condition ? { expect: 'boolean' } : {},
    );
    if (!result.ok) {
      const { message, offset, line, column } = result.error;
      ctx.addIssue({
        code: 'custom',
        message: `${message} (expression line ${line}, column ${column})`,
        params: { expression: { offset, line, column } },
      });
    }
  });

/** A data type of the allow-list, written like `decimal(18, 2)`; kept in canonical form. */
export const dataTypeName = z
  .string()
  .superRefine((text, ctx) => {
    const result = parseDataType(text);
    if (!result.ok) {
      ctx.addIssue({ code: 'custom', message: result.error.message });
    }
  })
  .transform(text => {
    const result = parseDataType(text);
    return result.ok ? formatDataType(result.type) : text;
  });
