import { InputError } from '@backstage/errors';
import { z } from 'zod';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../database/pagination';

/** Connection names: lower-case, unique within an organization. */
export const CONNECTION_NAME_PATTERN = /^[a-z][a-z0-9_-]{1,63}$/;
const ORGANIZATION_ID_PATTERN = /^[a-z][a-z0-9-]{1,39}$/;
const MAX_SECRET_LENGTH = 8192;

const organization = z
  .string()
  .regex(ORGANIZATION_ID_PATTERN, 'must be an organization id');
const name = z
  .string()
  .regex(
    CONNECTION_NAME_PATTERN,
    'must match ^[a-z][a-z0-9_-]{1,63}$ (lower-case letter, then 1-63 lower-case letters, digits, _ or -)',
  );
/** The secret: required, write-only. Messages never quote it. */
const password = z
  .string({ error: 'is required and must be a string' })
  .min(1, 'must not be empty')
  .max(MAX_SECRET_LENGTH, `must be at most ${MAX_SECRET_LENGTH} characters`);
const host = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9._:[\]-]+$/, 'must be a host name or IP address');
const port = z.number().int().min(1).max(65535);
const user = z.string().min(1).max(255);
const database = z.string().min(1).max(255);
const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2048);

const common = { organization, name, password };

const sqlSettings = {
  host,
  port: port.optional(),
  database: database.optional(),
  user,
  /** Require TLS to the database. */
  ssl: z.boolean().optional(),
};

/** `POST /connections`: the settings of each type, flat beside organization, name and password. */
export const createConnectionSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ ...common, type: z.literal('mysql'), ...sqlSettings }),
    z.strictObject({ ...common, type: z.literal('mariadb'), ...sqlSettings }),
    z.strictObject({
      ...common,
      type: z.literal('postgres'),
      ...sqlSettings,
      schema: z.string().min(1).max(255).optional(),
    }),
    z.strictObject({
      ...common,
      type: z.literal('kafka'),
      bootstrapServers: z
        .array(
          z
            .string()
            .regex(/^[A-Za-z0-9._[\]:-]+:\d{1,5}$/, 'must be host:port'),
        )
        .min(1)
        .max(50),
      saslMechanism: z
        .enum(['plain', 'scram-sha-256', 'scram-sha-512'])
        .optional(),
      user: user.optional(),
      ssl: z.boolean().optional(),
    }),
    z.strictObject({
      ...common,
      type: z.literal('http'),
      baseUrl: httpUrl,
      /** How the secret is sent: a bearer token, basic auth (with `user`) or a named header. */
      auth: z.enum(['bearer', 'basic', 'header']).optional(),
      user: user.optional(),
      headerName: z
        .string()
        .regex(/^[A-Za-z0-9-]{1,128}$/, 'must be an HTTP header name')
        .optional(),
    }),
    z.strictObject({
      ...common,
      type: z.literal('s3'),
      bucket: z
        .string()
        .regex(
          /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
          'must be an S3 bucket name',
        ),
      prefix: z.string().max(1024).optional(),
      region: z
        .string()
        .regex(/^[a-z0-9-]{1,32}$/)
        .optional(),
      endpoint: httpUrl.optional(),
      forcePathStyle: z.boolean().optional(),
      /** The access key id; the secret access key is the password. */
      accessKeyId: z.string().min(1).max(128),
    }),
  ],
  {
    error: issue =>
      issue.code === 'invalid_union'
        ? 'must be one of mysql, mariadb, postgres, kafka, http, s3'
        : undefined,
  },
);

export type CreateConnectionRequest = z.infer<typeof createConnectionSchema>;

/** `POST /connections/{id}/rotate` */
export const rotateConnectionSchema = z.strictObject({ password });
export type RotateConnectionRequest = z.infer<typeof rotateConnectionSchema>;

/** `POST /connections/reencrypt` */
export const reencryptSchema = z.strictObject({ organization });

/** `GET /connections` query */
export const listConnectionsQuerySchema = z.strictObject({
  organization: organization.optional(),
  cursor: z.string().min(1).max(2048).optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE),
});

function describePath(path: PropertyKey[]): string {
  return path.length === 0
    ? '(body)'
    : path
        .map((part, index) =>
          typeof part === 'number'
            ? `[${part}]`
            : `${index ? '.' : ''}${String(part)}`,
        )
        .join('');
}

/**
 * Parses input with a zod schema; a failure is an InputError (400) listing each problem with its
 * field path. Zod's messages name expectations, not received values, so a secret is never echoed.
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  what: string,
): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) {
    return result.data;
  }
  const problems = result.error.issues.flatMap(issue =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map(
          key => `${describePath([...issue.path, key])}: unknown field`,
        )
      : [`${describePath(issue.path)}: ${issue.message}`],
  );
  throw new InputError(`Invalid ${what}: ${problems.join('; ')}`);
}
