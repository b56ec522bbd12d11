import { TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import { spec } from './schema/openapi.generated';
import { batchSpec } from './__testUtils__/specs';
import { TEST_CONFIG } from './__testUtils__/demoTenants';
import {
  as,
  startIngestionTestBackend,
} from './__testUtils__/startIngestionTestBackend';

jest.setTimeout(240_000);

/**
 * Bad input, generated from the OpenAPI document for every route: wrong types in each body field,
 * hostile text in each query and path parameter. Whatever a route makes of it, the answer is a
 * 2xx or a 4xx with a JSON error and no stack trace — never a 5xx. (contract.test.ts checks the
 * documented 400s name their field; this covers the inputs nobody wrote a case for.)
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
function wrongValues(schema: Schema | undefined): unknown[] {
  const s = deref<Schema>(schema ?? {});
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

/** Text a client may send in a query or path parameter. */
const HOSTILE_TEXT = [
  "' or 1=1 --",
  '99999999999999999999999',
  '2026-13-45',
  '../%00ünï🙂',
  'y'.repeat(5000),
];

/** Fields the routes whose bodies are checked in code (`type: object` in the document) read. */
const CODE_CHECKED_FIELDS = [
  'organization',
  'id',
  'name',
  'type',
  'kind',
  'host',
  'port',
  'database',
  'username',
  'password',
  'costCenter',
  'environment',
  'ownerGroup',
  'roles',
  'quotas',
  'budget',
  'storage',
  'engine',
];

const CODE_CHECKED_BASE = { organization: 'finance' };

/** A valid body per route, where one is short to write; the generated calls spoil one field. */
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
};

type Call = {
  method: 'get' | 'post' | 'put';
  path: string;
  query?: Record<string, unknown>;
  body?: unknown;
  /** Text sent as is, with this content type, instead of `body` as JSON. */
  raw?: { text: string; type: string };
  label: string;
};

const PIPELINE = '{pipeline}';
/** Path ids the routes are called with: real ones, so that routes get past their lookups. */
function pathOf(template: string): string {
  return template
    .replace('{pipelineId}', PIPELINE)
    .replace('{organizationId}', 'finance')
    .replace('{runId}', '00000000-0000-4000-8000-000000000001')
    .replace('{tableId}', '00000000-0000-4000-8000-000000000002')
    .replace('{connectionId}', '00000000-0000-4000-8000-000000000003')
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
      const base =
        VALID_BODIES[label] ?? (body.properties ? {} : CODE_CHECKED_BASE);
      const fields = body.properties
        ? Object.entries(body.properties as Record<string, Schema>)
        : CODE_CHECKED_FIELDS.map(name => [name, undefined] as const);
      for (const [name, schema] of fields) {
        for (const value of wrongValues(schema)) {
          out.push({
            method,
            path: pathOf(template),
            query: required,
            body: { ...base, [name]: value },
            label: `${label} body.${name}=${JSON.stringify(value)?.slice(
              0,
              20,
            )}`,
          });
        }
      }
    }
  }
  return out;
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('bad input on %s', databaseId => {
  let server: Awaited<ReturnType<typeof startIngestionTestBackend>>['server'];
  let pipelineId: string;

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
  });

  it('answers every generated call with a 2xx or a 4xx JSON error, never a 5xx or a stack', async () => {
    const all = calls();
    // Every route of the document is exercised (health and the catalog export included).
    expect(
      new Set(all.map(c => c.label.split(' ').slice(0, 2).join(' '))).size,
    ).toBeGreaterThan(50);
    const failures: string[] = [];
    const send = async (call: Call) => {
      // Platform admins manage organizations; an organization's admin reaches everything else.
      const user = call.path.startsWith('/v1/organizations')
        ? 'platform-admin'
        : 'finance-admin';
      const path = call.path.replace(PIPELINE, pipelineId);
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
      if (res.status >= 500) {
        failures.push(`${call.label}: ${res.status} ${text.slice(0, 200)}`);
      } else if (res.status >= 400) {
        if (typeof res.body?.error?.message !== 'string') {
          failures.push(`${call.label}: ${res.status} without a JSON error`);
        } else if (/\.(ts|js):\d+|\n\s+at /.test(text)) {
          failures.push(`${call.label}: ${res.status} with a stack trace`);
        }
      }
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
  });
});
