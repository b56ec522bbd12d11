import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ManualScheduler } from '../../runs/__testUtils__/manualScheduler';
import { RUN_DRIVER_TASK_ID } from '../../runs';
import { TEST_CONFIG } from '../../__testUtils__/demoTenants';
import {
  as,
  startIngestionTestBackend,
} from '../../__testUtils__/startIngestionTestBackend';

/**
 * A run on the local engine, end to end: its OpenLineage events reach a lineage server that
 * answers 503 twice before accepting (retries), the export route returns the same events
 * (checked against the OpenLineage RunEvent schema of the OpenAPI document), the written table
 * is sampled for PII, and the catalog export shows it.
 */

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

const CUSTOMERS_CSV = [
  'id,email,card,amount',
  '1,ann@example.com,4111 1111 1111 1111,10.50',
  '2,bob@example.org,5555 5555 5555 4444,7.25',
  '3,cy@example.net,3782 822463 10005,100.00',
].join('\n');

async function startLineageServer(failures: number) {
  const received: any[] = [];
  let attempts = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', chunk => {
      body += chunk;
    });
    req.on('end', () => {
      attempts++;
      if (attempts <= failures) {
        res.writeHead(503).end();
        return;
      }
      received.push({
        authorization: req.headers.authorization,
        event: JSON.parse(body),
      });
      res.writeHead(201).end();
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/api/v1/lineage`,
    received,
    attempts: () => attempts,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

describe.each(databases.eachSupportedId())('OpenLineage on %s', databaseId => {
  it('emits and exports the events of a run', async () => {
    const root = await fs.realpath(
      await fs.mkdtemp(join(tmpdir(), 'ingestion-openlineage-')),
    );
    await fs.mkdir(join(root, 'finance', 'raw'), { recursive: true });
    await fs.writeFile(
      join(root, 'finance', 'raw', 'customers.csv'),
      CUSTOMERS_CSV,
    );
    const lineage = await startLineageServer(2);
    const knex = await databases.init(databaseId);
    const scheduler = new ManualScheduler();
    const { server } = await startIngestionTestBackend({
      knex,
      features: [scheduler.factory()],
      config: {
        ingestion: {
          ...TEST_CONFIG.ingestion,
          organizations: TEST_CONFIG.ingestion.organizations.map(org => ({
            ...org,
            storage: join(root, org.id),
          })),
          secrets: {
            masterKeys: [{ id: 'k', key: randomBytes(32).toString('base64') }],
          },
          api: { validateResponses: true },
          openLineage: {
            url: lineage.url,
            apiKey: 'lineage-key',
            retryDelayMs: 5,
          },
        },
      },
    });
    const api = () => request(server);

    const created = await api()
      .post('/api/ingestion/v1/pipelines')
      .set('Authorization', as('finance-engineer'))
      .send({
        organization: 'finance',
        name: 'customers',
        spec: {
          pipeline_type: 'batch',
          source: { type: 'file', path: 'raw/customers.csv', format: 'csv' },
          transformations: [
            { type: 'filter', condition: 'amount > 0' },
            {
              type: 'derive',
              column: 'amount_cents',
              expression: 'amount * 100',
            },
          ],
          target: {
            type: 'iceberg',
            catalog: 'finance_catalog',
            schema: 'crm',
            table: 'customers',
          },
          data_quality: [
            { type: 'completeness', columns: ['id'], threshold: 1 },
          ],
        },
      });
    expect(created.status).toBe(201);
    const triggered = await api()
      .post(`/api/ingestion/v1/pipelines/${created.body.id}/runs`)
      .set('Authorization', as('finance-analyst'))
      .send({});
    expect(triggered.status).toBe(202);
    const runId = triggered.body.id;

    let run: any;
    for (let i = 0; i < 400; i++) {
      await scheduler.run(RUN_DRIVER_TASK_ID);
      run = (
        await api()
          .get(`/api/ingestion/v1/runs/${runId}`)
          .set('Authorization', as('finance-viewer'))
      ).body;
      if (['succeeded', 'failed', 'quality_failed'].includes(run.status)) break;
      await sleep(25);
    }
    expect(run.status).toBe('succeeded');

    // Sent in the background, in order, after two 503s.
    for (let i = 0; i < 400 && lineage.received.length < 2; i++) {
      await sleep(25);
    }
    expect(lineage.attempts()).toBe(4);
    expect(lineage.received.map(r => r.event.eventType)).toEqual([
      'START',
      'COMPLETE',
    ]);
    expect(lineage.received[0].authorization).toBe('Bearer lineage-key');
    const complete = lineage.received[1].event;
    expect(complete).toMatchObject({
      run: { runId },
      job: { namespace: 'ingestion.finance', name: 'customers' },
      inputs: [{ namespace: 'file', name: 'raw/customers.csv' }],
      outputs: [
        {
          namespace: 'iceberg://finance/finance_catalog',
          name: 'crm.customers',
          outputFacets: { outputStatistics: { rowCount: 3 } },
        },
      ],
    });
    const fields = complete.outputs[0].facets.columnLineage.fields;
    expect(fields.amount_cents.inputFields[0]).toMatchObject({
      field: 'amount',
      transformations: [{ type: 'DIRECT', subtype: 'TRANSFORMATION' }],
    });
    expect(
      complete.outputs[0].facets.schema.fields.map((f: any) => f.name),
    ).toEqual(['id', 'email', 'card', 'amount', 'amount_cents']);
    expect(complete.outputs[0].facets.dataQualityAssertions.assertions).toEqual(
      [
        {
          assertion: 'completeness',
          success: true,
          column: 'id',
          severity: expect.any(String),
        },
      ],
    );

    // The export route: the same events, validated against the OpenAPI document's schema.
    const exported = await api()
      .get(`/api/ingestion/v1/pipelines/${created.body.id}/openlineage`)
      .set('Authorization', as('finance-viewer'));
    expect(exported.status).toBe(200);
    expect(exported.body.items).toEqual(lineage.received.map(r => r.event));
    const outsider = await api()
      .get(`/api/ingestion/v1/pipelines/${created.body.id}/openlineage`)
      .set('Authorization', as('retail-admin'));
    expect(outsider.status).toBe(404);

    // The written table was sampled for PII, which the catalog export carries.
    let table: any;
    for (let i = 0; i < 200; i++) {
      const tables = await api()
        .get('/api/ingestion/v1/catalog/tables')
        .set(
          'Authorization',
          mockCredentials.service.header({
            onBehalfOf: mockCredentials.service('plugin:catalog'),
            targetPluginId: 'ingestion',
          }),
        );
      table = tables.body.items.find(
        (t: any) => t.identifier === 'finance_catalog.crm.customers',
      );
      if (table?.columns.some((c: any) => c.pii)) break;
      await sleep(25);
    }
    expect(table.piiColumns).toEqual(['card', 'email']);
    expect(table.metadataLocation).toMatch(/^file:/);
    expect(
      Object.fromEntries(
        table.columns
          .filter((c: any) => c.pii)
          .map((c: any) => [c.name, c.pii]),
      ),
    ).toEqual({ email: ['email'], card: ['credit_card'] });

    await lineage.close();
  });
});
