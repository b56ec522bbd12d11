import {
  CreateBucketCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { promises as fs } from 'node:fs';
import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { EgressGuard } from '../../egress';
import {
  createEngineFixture,
  EngineFixture,
  engineTestDatabases,
  ORG,
  succeeded,
} from './__testUtils__/engineFixture';

// s3rver has no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver');

jest.setTimeout(60_000);

const databases = engineTestDatabases();

const CSV_A = ['id,name', '1,one', '2,two'].join('\n');
const CSV_B = ['id,name', '3,three'].join('\n');

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

const close = (server: Server) =>
  new Promise<void>(resolve => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

describe('LocalEngine sources', () => {
  let fx: EngineFixture;
  beforeAll(async () => {
    // The fixture's organization allow-lists loopback, where the test servers listen.
    fx = await createEngineFixture(databases);
  });
  afterAll(async () => {
    await fx.close();
  });

  describe('S3', () => {
    let s3rver: any;
    let endpoint: string;
    beforeAll(async () => {
      const directory = join(fx.root, '.s3rver');
      await fs.mkdir(directory);
      s3rver = new S3rver({
        address: '127.0.0.1',
        port: 0,
        silent: true,
        directory,
      });
      const { port } = await s3rver.run();
      endpoint = `http://127.0.0.1:${port}`;
      const client = new S3Client({
        region: 'us-east-1',
        endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      });
      for (const bucket of ['finance-lake', 'other-tenant']) {
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
      }
      const put = (Bucket: string, Key: string, Body: string) =>
        client.send(new PutObjectCommand({ Bucket, Key, Body }));
      await put('finance-lake', 'raw/orders/a.csv', CSV_A);
      await put('finance-lake', 'raw/orders/b.csv', CSV_B);
      await put('finance-lake', 'raw/orders/_SUCCESS', 'done');
      await put('finance-lake', 'raw/orders/notes.txt', 'not csv');
      await put('finance-lake', 'org/finance/in/c.csv', CSV_B);
      await put('other-tenant', 'raw/secret.csv', CSV_A);
      client.destroy();
      fx.connections.set('lake', {
        type: 's3',
        settings: {
          bucket: 'finance-lake',
          prefix: 'raw/',
          region: 'us-east-1',
          endpoint,
          forcePathStyle: true,
          accessKeyId: 'S3RVER',
        },
        password: 'S3RVER',
      });
    });
    afterAll(async () => {
      await s3rver.close();
    });

    const fileSpec = (path: string, connection?: string) => ({
      pipeline_type: 'batch',
      source: {
        type: 'file',
        path,
        format: 'csv',
        ...(connection ? { connection } : {}),
      },
      target: { type: 'parquet', path: `out/s3-${path.length}` },
    });

    it('downloads the objects a wildcard selects, with the connection’s credentials', async () => {
      const result = succeeded(
        await fx.run(fileSpec('s3://finance-lake/raw/orders/*.csv', 'lake')),
      );
      expect(result.rowsRead).toBe(3);
      expect(fx.logs.some(l => /Reading 2 csv files/.test(l.message))).toBe(
        true,
      );
    });

    it('refuses other buckets and paths without credentials for them', async () => {
      // Another bucket is refused by the tenant rule, before any credentials are looked at.
      expect(
        await fx.run(fileSpec('s3://other-tenant/raw/*.csv', 'lake')),
      ).toMatchObject({
        state: 'failed',
        message: expect.stringContaining(
          "source.path: `s3://other-tenant/raw/*.csv` is not in organization finance's storage",
        ),
      });
      // Inside the organization's bucket, a connection still reads only below its prefix.
      expect(
        await fx.run(
          fileSpec('s3://finance-lake/org/finance/in/*.csv', 'lake'),
        ),
      ).toMatchObject({
        state: 'failed',
        message: expect.stringMatching(/is for s3:\/\/finance-lake\/raw\//),
      });
      expect(
        await fx.run(fileSpec('s3://finance-lake/raw/orders/*.csv')),
      ).toMatchObject({
        state: 'failed',
        message: expect.stringMatching(
          /needs a connection with S3 credentials/,
        ),
      });
    });

    it('reads relative paths from an organization storage on S3', async () => {
      const engine = fx.newEngine({
        organizationS3: () => ({
          region: 'us-east-1',
          endpoint,
          forcePathStyle: true,
          accessKeyId: 'S3RVER',
          secretAccessKey: 'S3RVER',
        }),
      });
      const context = fx.context({
        pipeline_type: 'batch',
        source: { type: 'file', path: 'in/*.csv', format: 'csv' },
        target: { type: 'parquet', path: 'out/never' },
      });
      context.organization.storage = 's3://finance-lake/org/finance';
      const { engineRunId } = await engine.submit(context);
      await engine.idle();
      // Read from S3; writing locally is what fails for an S3 storage.
      expect(await engine.poll(context, engineRunId)).toMatchObject({
        state: 'failed',
        message: expect.stringMatching(/local storage only/),
      });
      expect(
        fx.logs.some(
          l => l.runId === context.run.id && /Read 1 rows/.test(l.message),
        ),
      ).toBe(true);
    });
  });

  describe('Iceberg', () => {
    it('reads a table another pipeline wrote, incrementally', async () => {
      await fx.writeFile('chain/a.csv', CSV_A);
      const producer = (file: string) => ({
        pipeline_type: 'batch',
        source: { type: 'file', path: `chain/${file}`, format: 'csv' },
        target: {
          type: 'iceberg',
          catalog: 'finance_catalog',
          schema: 'raw',
          table: 'chain_source',
        },
      });
      const consumer = {
        pipeline_type: 'batch',
        source: {
          type: 'iceberg',
          catalog: 'finance_catalog',
          schema: 'raw',
          table: 'chain_source',
          incremental_column: 'id',
        },
        transformations: [
          { type: 'derive', column: 'name', expression: 'upper(name)' },
        ],
        target: {
          type: 'iceberg',
          catalog: 'finance_catalog',
          schema: 'curated',
          table: 'chain_target',
        },
      };
      succeeded(await fx.run(producer('a.csv')));
      const first = succeeded(await fx.run(consumer));
      expect(first).toMatchObject({ rowsRead: 2, watermarkOut: '2' });

      await fx.writeFile('chain/b.csv', CSV_B);
      succeeded(await fx.run(producer('b.csv')));
      const second = succeeded(
        await fx.run(consumer, { watermarkIn: first.watermarkOut }),
      );
      expect(second).toMatchObject({ rowsRead: 1, watermarkOut: '3' });
      expect(
        (await fx.readTable('chain_target', 'curated')).map(r => r.name),
      ).toEqual(['ONE', 'TWO', 'THREE']);
      // The high-water mark is in the snapshot summary, as Databricks notebooks record it.
      const { metadata } = await fx
        .catalog()
        .loadTable(ORG, { namespace: ['curated'], name: 'chain_target' });
      expect(
        metadata.snapshots.map(
          snapshot => snapshot.summary['ingestion.watermark'],
        ),
      ).toEqual(['2', '3']);

      expect(
        await fx.run({
          ...consumer,
          source: { ...consumer.source, table: 'missing' },
        }),
      ).toMatchObject({
        state: 'failed',
        message:
          "Iceberg table finance_catalog.raw.missing does not exist in the organization's catalog",
      });
    });
  });

  describe('HTTP', () => {
    let api: { server: Server; url: string };
    let hang: Array<() => void> = [];
    const requests: string[] = [];
    beforeAll(async () => {
      const items = Array.from({ length: 5 }, (_, i) => ({
        id: i + 1,
        attrs: { color: i % 2 ? 'red' : 'blue' },
      }));
      api = await listen((req, res) => {
        const url = new URL(req.url!, 'http://x');
        requests.push(`${url.pathname}${url.search}`);
        if (req.headers.authorization !== 'Bearer api-token-123') {
          res.writeHead(401).end();
          return;
        }
        const json = (body: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(200, {
            'content-type': 'application/json',
            ...headers,
          });
          res.end(JSON.stringify(body));
        };
        if (url.pathname === '/v1/pages') {
          const page = Number(url.searchParams.get('page'));
          const size = Number(url.searchParams.get('size'));
          json({
            data: { items: items.slice((page - 1) * size, page * size) },
          });
        } else if (url.pathname === '/v1/cursor') {
          const at = Number(url.searchParams.get('after') ?? 0);
          json({
            items: items.slice(at, at + 2),
            next: at + 2 < items.length ? String(at + 2) : null,
          });
        } else if (url.pathname === '/v1/links') {
          const at = Number(url.searchParams.get('at') ?? 0);
          json(
            items.slice(at, at + 3),
            at + 3 < items.length
              ? { link: `</v1/links?at=${at + 3}>; rel="next"` }
              : {},
          );
        } else if (url.pathname === '/v1/hang') {
          hang.push(() => json([{ id: 1 }]));
        } else {
          res.writeHead(503).end();
        }
      });
      fx.connections.set('api', {
        type: 'http',
        settings: { baseUrl: `${api.url}/v1`, auth: 'bearer' },
        password: 'api-token-123',
      });
    });
    afterAll(async () => {
      hang.forEach(respond => respond());
      await close(api.server);
    });

    const httpSpec = (path: string, extra: object = {}) => ({
      pipeline_type: 'batch',
      source: {
        type: 'http',
        url: `${api.url}${path}`,
        connection: 'api',
        ...extra,
      },
      target: { type: 'parquet', path: `out/http${path.replace(/\//g, '-')}` },
    });

    it('follows page, cursor and Link-header pagination', async () => {
      const paged = succeeded(
        await fx.run(
          httpSpec('/v1/pages', {
            records_path: 'data.items',
            pagination: { type: 'page', size_param: 'size', page_size: 2 },
          }),
        ),
      );
      expect(paged.rowsRead).toBe(5);
      expect(paged.tables[0].schema).toMatchObject({
        fields: [
          { name: 'id', type: 'BIGINT' },
          { name: 'attrs', type: 'VARCHAR' },
        ],
      });
      expect(requests.filter(r => r.startsWith('/v1/pages'))).toEqual([
        '/v1/pages?page=1&size=2',
        '/v1/pages?page=2&size=2',
        '/v1/pages?page=3&size=2',
      ]);
      expect(
        succeeded(
          await fx.run(
            httpSpec('/v1/cursor', {
              records_path: 'items',
              pagination: {
                type: 'cursor',
                cursor_param: 'after',
                next_cursor_path: 'next',
              },
            }),
          ),
        ).rowsRead,
      ).toBe(5);
      expect(
        succeeded(
          await fx.run(
            httpSpec('/v1/links', { pagination: { type: 'link_header' } }),
          ),
        ).rowsRead,
      ).toBe(5);
    });

    it('refuses private addresses unless allowed, and never sends credentials elsewhere', async () => {
      const strict = fx.newEngine({ egress: new EgressGuard() });
      expect(await fx.run(httpSpec('/v1/pages'), {}, strict)).toMatchObject({
        state: 'failed',
        message: expect.stringMatching(
          /127\.0\.0\.1 is a loopback address, which organization 'finance' has not allow-listed/,
        ),
      });
      expect(
        await fx.run({
          ...httpSpec('/v1/pages'),
          source: {
            type: 'http',
            url: 'http://127.0.0.1:9/v1/x',
            connection: 'api',
          },
        }),
      ).toMatchObject({
        state: 'failed',
        message: expect.stringMatching(/its credentials are not sent to/),
      });
      expect(
        await fx.run({
          ...httpSpec('/v1/pages'),
          source: {
            type: 'http',
            url: `${api.url}/v1/down`,
            connection: 'api',
          },
        }),
      ).toMatchObject({ state: 'failed', retryable: true });
    });

    it('refuses IPv6 spellings of loopback (IPv4-mapped, NAT64) before sending a request', async () => {
      const strict = fx.newEngine({ egress: new EgressGuard() });
      const port = new URL(api.url).port;
      const before = requests.length;
      for (const host of [
        '[::ffff:7f00:1]',
        '[::ffff:127.0.0.1]',
        '[0:0:0:0:0:ffff:7f00:1]',
        '[::7f00:1]',
        '[64:ff9b::7f00:1]',
        '2130706433',
        '0x7f.1',
      ]) {
        const state = await fx.run(
          {
            pipeline_type: 'batch',
            source: { type: 'http', url: `http://${host}:${port}/v1/pages` },
            target: { type: 'parquet', path: 'out/http-mapped' },
          },
          {},
          strict,
        );
        expect([host, state]).toMatchObject([
          host,
          {
            state: 'failed',
            retryable: false,
            message: expect.stringMatching(/loopback .*not allow-listed/),
          },
        ]);
      }
      // Nothing reached the server: no answer of the backend's own network can be read back.
      expect(requests.length).toBe(before);
    });

    it('cancels a run that is waiting on its source', async () => {
      hang = [];
      const context = fx.context(httpSpec('/v1/hang'));
      const { engineRunId } = await fx.engine.submit(context);
      for (let i = 0; i < 400 && hang.length === 0; i++) {
        await new Promise(resolve => setTimeout(resolve, 10));
      }
      expect(await fx.engine.poll(context, engineRunId)).toEqual({
        state: 'running',
      });
      await fx.engine.cancel(context, engineRunId);
      await fx.engine.idle();
      expect(await fx.engine.poll(context, engineRunId)).toMatchObject({
        state: 'cancelled',
      });
    });
  });

  it('leaves Kafka streaming to the Databricks engine', async () => {
    expect(
      await fx.run({
        pipeline_type: 'streaming',
        source: {
          type: 'kafka',
          bootstrap_servers: 'kafka-cluster:9092',
          topic: 'user-events',
        },
        target: { type: 'delta', path: 'streaming/user-events' },
      }),
    ).toMatchObject({
      state: 'failed',
      retryable: false,
      message: expect.stringMatching(
        /^Kafka streaming needs the Databricks engine/,
      ),
    });
  });
});
