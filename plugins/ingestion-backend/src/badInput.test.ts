import { TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import { spec } from './schema/openapi.generated';
import { batchSpec } from './__testUtils__/specs';
import { TEST_CONFIG, TEST_ORGANIZATIONS } from './__testUtils__/demoTenants';
import {
  as,
  startIngestionTestBackend,
} from './__testUtils__/startIngestionTestBackend';

jest.setTimeout(240_000);

/**
 * Bad input, generated from the OpenAPI document for every route: wrong types in each body field,
 * hostile text in each query and path parameter. Whatever a route makes of it, the answer is a
 * 2xx or a 4xx with a JSON error and no stack trace — never a 5xx; and a body field's value the
 * document refuses is a 4xx naming that field, whether the request validator or a service (bodies
 * marked `x-checked-in-code`) checks it. (contract.test.ts checks the documented 400s name their
 * field; this covers the inputs nobody wrote a case for.)
 */
type Schema = Record<string, any>;
type Parameter = { name: string; in: string; schema?: Schema };
const doc = spec as unknown as {
  paths: Record<string, Record<string, any>>;
  components: Record<string, Record<string, any>>;
};

function deref<T>(node: any): T {
  if (node && typeof node.$ref === 'string') {
    const [, , section, name] = node.$ref.split('/');
    return deref(doc.components[section][name]);
  }
  return node;
}

/** Values of the wrong kind for a schema: each is refused or ignored, never a crash. */
function wrongValues(schema: Schema): unknown[] {
  const s = deref<Schema>(schema);
  const long = 'x'.repeat(20_000);
  switch (s.type) {
    case 'string':
      return [12345, { a: 1 }, long];
    case 'integer':
    case 'number':
      return ['abc', 1e308, 1.5];
    case 'boolean':
      return ['yes'];
    case 'array':
      return ['x', [{ nested: [] }], new Array(2000).fill(1)];
    default:
      return ['x', 42, null];
  }
}

const typeOf = (value: unknown): string[] => {
  if (value === null) return ['null'];
  if (Array.isArray(value)) return ['array'];
  if (typeof value === 'number') {
    return Number.isInteger(value) ? ['integer', 'number'] : ['number'];
  }
  return [typeof value];
};

/**
 * Whether the document's schema surely refuses a value: by its type, enum, bounds, length, pattern
 * or items. False when it accepts it or when this cannot tell (composed schemas).
 */
function refuses(schema: Schema, value: unknown): boolean {
  const s = deref<Schema>(schema);
  if (s.type !== undefined) {
    const types: string[] = Array.isArray(s.type) ? s.type : [s.type];
    if (!typeOf(value).some(t => types.includes(t))) return true;
  }
  if (s.enum && !s.enum.includes(value)) return true;
  if (typeof value === 'string') {
    return (
      value.length > (s.maxLength ?? Infinity) ||
      value.length < (s.minLength ?? 0) ||
      (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(value))
    );
  }
  if (typeof value === 'number') {
    return (
      value > (s.maximum ?? Infinity) ||
      value < (s.minimum ?? -Infinity) ||
      value <= (s.exclusiveMinimum ?? -Infinity) ||
      value >= (s.exclusiveMaximum ?? Infinity)
    );
  }
  if (Array.isArray(value)) {
    return (
      value.length > (s.maxItems ?? Infinity) ||
      value.length < (s.minItems ?? 0) ||
      (s.items !== undefined && value.some(item => refuses(s.items, item)))
    );
  }
  return false;
}

/** Does an error message name a body field (`request/body/port must be …`, `port: …`)? */
const namesField = (message: string, field: string) =>
  new RegExp(`(^|[^A-Za-z0-9_])${field}([^A-Za-z0-9_]|$)`).test(message);

type BodyVariant = {
  /** ` type=kafka` for a branch of a discriminated body, '' otherwise. */
  suffix: string;
  fields: Record<string, Schema>;
  /** What the discriminator sets, if the body has one. */
  fixed: Record<string, unknown>;
};

/**
 * The shapes a body schema allows, each with its fields: one for a plain object, the parts merged
 * for `allOf`, one per discriminator value for a `oneOf` (connections: one per type).
 */
function bodyVariants(schema: Schema): BodyVariant[] {
  const s = deref<Schema>(schema);
  if (s.oneOf) {
    const property: string | undefined = s.discriminator?.propertyName;
    const mapping: Record<string, string> = s.discriminator?.mapping ?? {};
    if (!property || Object.keys(mapping).length === 0) {
      throw new Error('a oneOf body needs a discriminator with a mapping');
    }
    return Object.entries(mapping).flatMap(([value, $ref]) =>
      bodyVariants({ $ref }).map(variant => ({
        suffix: ` ${property}=${value}`,
        fields: variant.fields,
        fixed: { [property]: value },
      })),
    );
  }
  const parts: Schema[] = s.allOf ? s.allOf.map(deref<Schema>) : [s];
  return [
    {
      suffix: '',
      fields: Object.assign({}, ...parts.map(part => part.properties ?? {})),
      fixed: {},
    },
  ];
}

/** Text a client may send in a query or path parameter. */
const HOSTILE_TEXT = [
  "' or 1=1 --",
  '99999999999999999999999',
  '2026-13-45',
  '../%00ünï🙂',
  'y'.repeat(5000),
];

const FINANCE = TEST_ORGANIZATIONS[0];
const CONNECTION = { organization: 'finance', password: 'fuzz-secret' };

/**
 * A valid body per route (per connection type), where one is short to write; the generated calls
 * spoil one field. Those the services check need one: a service names the problems of a body
 * only once it knows its kind (a connection's type) and the caller's right to make the change.
 */
const VALID_BODIES: Record<string, Record<string, unknown>> = {
  'POST /v1/specs/validate': { spec: batchSpec() },
  'POST /v1/specs/preview': { organization: 'finance', spec: batchSpec() },
  'POST /v1/pipelines': {
    organization: 'finance',
    name: 'fuzz-target',
    spec: batchSpec(),
  },
  'PUT /v1/pipelines/{pipelineId}': { spec: batchSpec(), expectedVersion: 1 },
  'PUT /v1/pipelines/{pipelineId}/deployment': { jobId: '1' },
  'POST /v1/pipelines/{pipelineId}/rollback': { version: 1 },
  'POST /v1/costs/estimate': { organization: 'finance', spec: batchSpec() },
  'PUT /v1/budgets': { organization: 'finance', monthly: 100 },
  'POST /v1/organizations': { ...FINANCE, id: 'fuzzed-org', name: 'Fuzzed' },
  // The same settings again: a spoiled value that is accepted changes only that field.
  'PUT /v1/organizations/{organizationId}': FINANCE,
  'POST /v1/connections type=mysql': {
    ...CONNECTION,
    name: 'fuzz-mysql',
    host: 'db.internal',
    user: 'reader',
  },
  'POST /v1/connections type=mariadb': {
    ...CONNECTION,
    name: 'fuzz-mariadb',
    host: 'db.internal',
    user: 'reader',
  },
  'POST /v1/connections type=postgres': {
    ...CONNECTION,
    name: 'fuzz-postgres',
    host: 'db.internal',
    user: 'reader',
  },
  'POST /v1/connections type=kafka': {
    ...CONNECTION,
    name: 'fuzz-kafka',
    bootstrapServers: ['kafka.internal:9092'],
  },
  'POST /v1/connections type=http': {
    ...CONNECTION,
    name: 'fuzz-http',
    baseUrl: 'https://api.example.com',
  },
  'POST /v1/connections type=s3': {
    ...CONNECTION,
    name: 'fuzz-s3',
    bucket: 'fuzz-bucket',
    accessKeyId: 'AKIAFUZZ',
  },
  'POST /v1/connections/reencrypt': { organization: 'finance' },
  'POST /v1/connections/{connectionId}/rotate': { password: 'fuzz-secret' },
};

type Call = {
  method: 'get' | 'post' | 'put';
  path: string;
  query?: Record<string, unknown>;
  body?: unknown;
  /** Text sent as is, with this content type, instead of `body` as JSON. */
  raw?: { text: string; type: string };
  label: string;
  /** The body field whose value the document refuses: the answer must be a 4xx naming it. */
  refusedField?: string;
};

const PIPELINE = '{pipeline}';
const CONNECTION_ID = '{connection}';
/** Path ids the routes are called with: real ones, so that routes get past their lookups. */
function pathOf(template: string): string {
  return template
    .replace('{pipelineId}', PIPELINE)
    .replace('{organizationId}', 'finance')
    .replace('{runId}', '00000000-0000-4000-8000-000000000001')
    .replace('{tableId}', '00000000-0000-4000-8000-000000000002')
    .replace('{connectionId}', CONNECTION_ID)
    .replace('{version}', '1');
}

/** Valid query values for required parameters, so each call varies one parameter only. */
const VALID_QUERY: Record<string, string> = { organization: 'finance' };

function calls(): Call[] {
  const out: Call[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    const shared: Parameter[] = (item.parameters ?? []).map(deref);
    for (const method of ['get', 'post', 'put'] as const) {
      const op = item[method];
      // Retiring or deleting is not something to fuzz with real ids.
      if (!op || /retire$/.test(template)) continue;
      const params: Parameter[] = [
        ...shared,
        ...(op.parameters ?? []).map(deref),
      ];
      const required = Object.fromEntries(
        params
          .filter(p => p.in === 'query' && VALID_QUERY[p.name])
          .map(p => [p.name, VALID_QUERY[p.name]]),
      );
      const label = `${method.toUpperCase()} ${template}`;
      for (const p of params.filter(x => x.in === 'query')) {
        for (const value of HOSTILE_TEXT) {
          out.push({
            method,
            path: pathOf(template),
            query: { ...required, [p.name]: value },
            label: `${label} ?${p.name}=${value.slice(0, 20)}`,
          });
        }
        out.push({
          method,
          path: pathOf(template),
          query: { ...required, [p.name]: ['a', 'b'] },
          label: `${label} ?${p.name} twice`,
        });
      }
      for (const p of params.filter(x => x.in === 'path')) {
        for (const value of HOSTILE_TEXT) {
          out.push({
            method,
            path: pathOf(
              template.replace(`{${p.name}}`, encodeURIComponent(value)),
            ),
            query: required,
            label: `${label} path ${p.name}=${value.slice(0, 20)}`,
          });
        }
      }
      const body = deref<Schema | undefined>(
        op.requestBody?.content?.['application/json']?.schema,
      );
      if (!body) continue;
      for (const raw of [
        { text: '{"organization": "finance",', type: 'application/json' },
        { text: 'organization=finance', type: 'text/plain' },
      ]) {
        out.push({
          method,
          path: pathOf(template),
          query: required,
          raw,
          label: `${label} ${raw.type} ${raw.text}`,
        });
      }
      for (const whole of [[], 'x', null]) {
        out.push({
          method,
          path: pathOf(template),
          query: required,
          body: whole,
          label: `${label} body ${JSON.stringify(whole)}`,
        });
      }
      // Each field goes wrong inside an otherwise valid body, so checks past the first one run.
      const checkedInCode = op.requestBody?.['x-checked-in-code'] === true;
      for (const { suffix, fields, fixed } of bodyVariants(body)) {
        const base = VALID_BODIES[`${label}${suffix}`];
        if (checkedInCode && !base) {
          throw new Error(`VALID_BODIES needs '${label}${suffix}'`);
        }
        if (Object.keys(fields).length === 0) {
          throw new Error(`${label}${suffix}: the document lists no fields`);
        }
        for (const [name, schema] of Object.entries(fields)) {
          for (const value of wrongValues(schema)) {
            out.push({
              method,
              path: pathOf(template),
              query: required,
              body: { ...base, ...fixed, [name]: value },
              label: `${label}${suffix} body.${name}=${JSON.stringify(
                value,
              )?.slice(0, 20)}`,
              refusedField: refuses(schema, value) ? name : undefined,
            });
          }
        }
      }
    }
  }
  return out;
}

/** Routes whose bodies the services check (`x-checked-in-code`), by label. */
function codeCheckedBodies(): Array<{ label: string; body: Schema }> {
  return Object.entries(doc.paths).flatMap(([template, item]) =>
    Object.entries(item)
      .filter(([, op]) => op?.requestBody?.['x-checked-in-code'] === true)
      .map(([method, op]) => ({
        label: `${method.toUpperCase()} ${template}`,
        body: op.requestBody.content['application/json'].schema,
      })),
  );
}

describe('the generated bad bodies', () => {
  it('spoil every field of the bodies the services check, of each connection type, with a value the document refuses', () => {
    const all = calls();
    const checked = codeCheckedBodies();
    expect(checked.map(c => c.label).sort()).toEqual([
      'POST /v1/connections',
      'POST /v1/connections/reencrypt',
      'POST /v1/connections/{connectionId}/rotate',
      'POST /v1/organizations',
      'PUT /v1/organizations/{organizationId}',
    ]);
    const unspoiled = checked.flatMap(({ label, body }) =>
      bodyVariants(body).flatMap(({ suffix, fields }) =>
        Object.keys(fields)
          .filter(
            name =>
              !all.some(
                c =>
                  c.refusedField === name &&
                  c.label.startsWith(`${label}${suffix} body.${name}=`),
              ),
          )
          .map(name => `${label}${suffix} ${name}`),
      ),
    );
    expect(unspoiled).toEqual([]);
    expect(
      all.filter(c => c.label.startsWith('POST /v1/connections type=')).length,
    ).toBeGreaterThan(6 * 5 * 3);
  });
});

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('bad input on %s', databaseId => {
  let server: Awaited<ReturnType<typeof startIngestionTestBackend>>['server'];
  let pipelineId: string;
  let connectionId: string;

  beforeAll(async () => {
    ({ server } = await startIngestionTestBackend({
      knex: await databases.init(databaseId),
      config: {
        ingestion: { ...TEST_CONFIG.ingestion, rateLimits: { enabled: false } },
      },
    }));
    const created = await request(server)
      .post('/api/ingestion/v1/pipelines')
      .set('Authorization', as('finance-admin'))
      .send({ organization: 'finance', name: 'fuzzed', spec: batchSpec() });
    if (created.status !== 201) {
      throw new Error(`the pipeline to call with: ${created.text}`);
    }
    pipelineId = created.body.id;
    const connection = await request(server)
      .post('/api/ingestion/v1/connections')
      .set('Authorization', as('finance-admin'))
      .send({
        ...VALID_BODIES['POST /v1/connections type=postgres'],
        type: 'postgres',
        name: 'fuzzed',
      });
    if (connection.status !== 201) {
      throw new Error(`the connection to call with: ${connection.text}`);
    }
    connectionId = connection.body.id;
  });

  it('answers every generated call with a 2xx or a 4xx JSON error, never a 5xx or a stack', async () => {
    const all = calls();
    // Every route of the document is exercised (health and the catalog export included).
    expect(
      new Set(all.map(c => c.label.split(' ').slice(0, 2).join(' '))).size,
    ).toBeGreaterThan(50);
    const failures: string[] = [];
    const refusals = { checked: 0 };
    const send = async (call: Call) => {
      // Platform admins manage organizations; an organization's admin reaches everything else.
      const user = call.path.startsWith('/v1/organizations')
        ? 'platform-admin'
        : 'finance-admin';
      const path = call.path
        .replace(PIPELINE, pipelineId)
        .replace(CONNECTION_ID, connectionId);
      const res = await request(server)
        [call.method](`/api/ingestion${path}`)
        .query(call.query ?? {})
        .set('Authorization', as(user))
        .set('Content-Type', call.raw?.type ?? 'application/json')
        // As text: supertest sends no bare JSON values (a number, null) on its own.
        .send(
          call.raw?.text ??
            (call.body === undefined ? '' : JSON.stringify(call.body)),
        );
      const text = res.text ?? '';
      const message = res.body?.error?.message;
      if (res.status >= 500) {
        failures.push(`${call.label}: ${res.status} ${text.slice(0, 200)}`);
      } else if (res.status >= 400) {
        if (typeof message !== 'string') {
          failures.push(`${call.label}: ${res.status} without a JSON error`);
        } else if (/\.(ts|js):\d+|\n\s+at /.test(text)) {
          failures.push(`${call.label}: ${res.status} with a stack trace`);
        }
      }
      if (
        call.refusedField &&
        (res.status < 400 ||
          res.status >= 500 ||
          typeof message !== 'string' ||
          !namesField(message, call.refusedField))
      ) {
        failures.push(
          `${call.label}: ${res.status} ${text.slice(0, 200)} (a 4xx naming ${
            call.refusedField
          } expected)`,
        );
      }
      refusals.checked += call.refusedField ? 1 : 0;
    };
    // A few calls in flight at a time, as clients send them.
    const queue = [...all];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let call = queue.shift(); call; call = queue.shift()) {
          await send(call);
        }
      }),
    );
    expect(failures).toEqual([]);
    expect(refusals.checked).toBe(all.filter(c => c.refusedField).length);
  });
});
