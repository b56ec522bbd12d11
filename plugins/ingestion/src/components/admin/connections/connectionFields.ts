import type { ConnectionType, NewConnection } from '../../../api/AdminApi';

/** One input of the connection form. */
export interface FieldSpec {
  name: string;
  label: string;
  kind: 'text' | 'number' | 'boolean' | 'select' | 'list';
  required?: boolean;
  options?: string[];
  helperText?: string;
}

const sql = (extra: FieldSpec[] = []): FieldSpec[] => [
  { name: 'host', label: 'Host', kind: 'text', required: true },
  { name: 'port', label: 'Port', kind: 'number' },
  { name: 'database', label: 'Database', kind: 'text' },
  ...extra,
  { name: 'user', label: 'User', kind: 'text', required: true },
  { name: 'ssl', label: 'Require TLS', kind: 'boolean' },
];

/** The settings of each connection type, as the backend accepts them (flat beside the name). */
export const CONNECTION_FIELDS: Record<ConnectionType, FieldSpec[]> = {
  mysql: sql(),
  mariadb: sql(),
  postgres: sql([{ name: 'schema', label: 'Schema', kind: 'text' }]),
  kafka: [
    {
      name: 'bootstrapServers',
      label: 'Bootstrap servers',
      kind: 'list',
      required: true,
      helperText: 'host:port, separated by commas',
    },
    {
      name: 'saslMechanism',
      label: 'SASL mechanism',
      kind: 'select',
      options: ['plain', 'scram-sha-256', 'scram-sha-512'],
    },
    { name: 'user', label: 'User', kind: 'text' },
    { name: 'ssl', label: 'Require TLS', kind: 'boolean' },
  ],
  http: [
    { name: 'baseUrl', label: 'Base URL', kind: 'text', required: true },
    {
      name: 'auth',
      label: 'Authentication',
      kind: 'select',
      options: ['bearer', 'basic', 'header'],
    },
    { name: 'user', label: 'User (basic)', kind: 'text' },
    { name: 'headerName', label: 'Header name (header)', kind: 'text' },
  ],
  s3: [
    { name: 'bucket', label: 'Bucket', kind: 'text', required: true },
    { name: 'prefix', label: 'Prefix', kind: 'text' },
    { name: 'region', label: 'Region', kind: 'text' },
    { name: 'endpoint', label: 'Endpoint URL', kind: 'text' },
    { name: 'forcePathStyle', label: 'Path-style addressing', kind: 'boolean' },
    {
      name: 'accessKeyId',
      label: 'Access key id',
      kind: 'text',
      required: true,
    },
  ],
};

/** What the secret is called for each type: it is always the write-only `password` field. */
export function secretLabel(type: ConnectionType): string {
  if (type === 's3') return 'Secret access key';
  if (type === 'http') return 'Token or password';
  return 'Password';
}

export const CONNECTION_NAME_PATTERN = /^[a-z][a-z0-9_-]{1,63}$/;

/** The form's values: every input as typed (strings and booleans). */
export type FormValues = Record<string, string | boolean>;

/** Problems the browser can see before asking the server, by field. */
export function validateConnection(
  type: ConnectionType,
  values: FormValues,
): Record<string, string> {
  const errors: Record<string, string> = {};
  const text = (name: string) => String(values[name] ?? '').trim();
  if (!CONNECTION_NAME_PATTERN.test(text('name'))) {
    errors.name =
      'Lower-case letter, then 1-63 lower-case letters, digits, _ or -';
  }
  if (!String(values.password ?? '')) {
    errors.password = 'Required';
  }
  for (const field of CONNECTION_FIELDS[type]) {
    const value = text(field.name);
    if (field.required && field.kind !== 'boolean' && !value) {
      errors[field.name] = 'Required';
    } else if (field.kind === 'number' && value) {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > 65535) {
        errors[field.name] = 'A port from 1 to 65535';
      }
    }
  }
  return errors;
}

/** The request body: settings of the type only, typed as the API expects, empty ones left out. */
export function connectionBody(
  organization: string,
  type: ConnectionType,
  values: FormValues,
) {
  const body: Record<string, unknown> = {
    organization,
    name: String(values.name ?? '').trim(),
    type,
    password: String(values.password ?? ''),
  };
  for (const field of CONNECTION_FIELDS[type]) {
    const value = values[field.name];
    if (field.kind === 'boolean') {
      if (value === true) body[field.name] = true;
      continue;
    }
    const text = String(value ?? '').trim();
    if (!text) continue;
    if (field.kind === 'number') body[field.name] = Number(text);
    else if (field.kind === 'list') {
      body[field.name] = text
        .split(',')
        .map(item => item.trim())
        .filter(Boolean);
    } else body[field.name] = text;
  }
  return body as NewConnection;
}

/**
 * The server's 400 (`Invalid connection: host: must be …; port: …`) split by field, so each
 * reason shows under its input; `bootstrapServers[0]` belongs to `bootstrapServers`. Reasons for
 * fields the form does not have are returned under `''`.
 */
export function serverFieldErrors(
  message: string,
  fields: string[],
): Record<string, string> {
  const body = message.replace(/^Invalid [a-z]+: /, '');
  const errors: Record<string, string> = {};
  for (const part of body.split('; ')) {
    const match = /^([A-Za-z]+)(?:\[\d+\])?(?:\.[^:]*)?: (.*)$/.exec(part);
    const key = match && fields.includes(match[1]) ? match[1] : '';
    const reason = match && key ? match[2] : part;
    errors[key] = errors[key] ? `${errors[key]}; ${reason}` : reason;
  }
  return errors;
}

/** A short line for the table: where the connection points (never its secret). */
export function describeSettings(
  type: ConnectionType,
  settings: Record<string, unknown>,
): string {
  const s = (key: string) =>
    settings[key] === undefined ? undefined : String(settings[key]);
  switch (type) {
    case 'kafka':
      return ((settings.bootstrapServers as string[]) ?? []).join(', ');
    case 'http':
      return s('baseUrl') ?? '';
    case 's3':
      return `s3://${s('bucket') ?? ''}/${s('prefix') ?? ''}`;
    default:
      return `${s('user') ? `${s('user')}@` : ''}${s('host') ?? ''}${
        s('port') ? `:${s('port')}` : ''
      }${s('database') ? `/${s('database')}` : ''}`;
  }
}

/** The server's message of a failed call (ResponseError keeps it in its body). */
export function serverMessage(error: unknown): string {
  const e = error as { body?: { error?: { message?: string } } } & Error;
  return e?.body?.error?.message ?? e?.message ?? String(error);
}
