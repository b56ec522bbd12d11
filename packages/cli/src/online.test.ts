import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { briefBatchExample } from '@ingestion-for-backstage/plugin-ingestion-common';
// The backend's own test backend: the real plugin, permission backend and ingestion policy.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { startIngestionTestBackend } from '@ingestion-for-backstage/plugin-ingestion-backend/src/__testUtils__/startIngestionTestBackend';
import { stringify } from 'yaml';
import { ingestion } from './__testUtils__/captureIo';
import { EXIT } from './exitCodes';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/** The online commands against a running ingestion backend, over HTTP, as demo users. */
describe('online commands', () => {
  let url: string;
  let stop: () => Promise<void>;
  let dir: string;

  beforeAll(async () => {
    const knex = await databases.init('SQLITE_3');
    const backend = await startIngestionTestBackend({ knex });
    url = `http://localhost:${backend.server.port()}`;
    stop = () => backend.stop();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingestion-cli-online-'));
  });
  afterAll(async () => {
    await stop?.();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const as = (user: string, args: string[]) =>
    ingestion(args, {
      env: {
        INGESTION_URL: url,
        INGESTION_TOKEN: mockCredentials.user.token(`user:default/${user}`),
      },
    });

  /** A generated repository's files: the spec and the catalog entity naming the pipeline. */
  const repository = (name: string, spec: object) => {
    const folder = path.join(dir, name);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'pipeline.yaml'), stringify(spec));
    fs.writeFileSync(
      path.join(folder, 'catalog-info.yaml'),
      stringify({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: `finance-${name}`,
          annotations: {
            'ingestion.backstage.io/organization': 'finance',
            'ingestion.backstage.io/pipeline-name': name,
          },
        },
      }),
    );
    return folder;
  };

  it('uses the token of backstage-cli when signed in, else INGESTION_TOKEN', async () => {
    const signedIn = await ingestion(['orgs', '--json'], {
      env: { INGESTION_URL: url, INGESTION_TOKEN: 'not-a-token' },
      printToken: async () =>
        mockCredentials.user.token('user:default/retail-viewer'),
    });
    expect(signedIn.code).toBe(EXIT.OK);
    expect(
      JSON.parse(signedIn.stdout).map((o: { id: string }) => o.id),
    ).toEqual(['retail']);
    const badToken = await ingestion(['orgs'], {
      env: { INGESTION_URL: url, INGESTION_TOKEN: 'not-a-token' },
    });
    expect(badToken.code).toBe(EXIT.DENIED);
    expect(badToken.stderr).toMatch(/HTTP 401/);
  });

  it('lists the organizations with roles', async () => {
    const result = await as('finance-analyst', ['orgs']);
    expect(result.code).toBe(EXIT.OK);
    expect(result.stdout).toMatch(/^ID\s+NAME\s+COST CENTER/);
    expect(result.stdout).toMatch(
      /finance\s+Finance\s+FIN-001\s+development\s+local\s+analyst/,
    );
  });

  it('applies a folder of pipelines: creates, then does nothing, then adds a version, and shows the diff first', async () => {
    const a = repository('cli-orders', briefBatchExample('cli_orders'));
    const b = repository('cli-refunds', briefBatchExample('cli_refunds'));

    const dry = await as('finance-engineer', [
      'pipelines',
      'apply',
      dir,
      '--dry-run',
    ]);
    expect(dry.code).toBe(EXIT.OK);
    expect(dry.stdout).toContain('finance/cli-orders: would create');
    expect(dry.stdout).toContain('+  table: cli_orders');
    expect(
      (await as('finance-engineer', ['pipelines', 'list', '--json'])).stdout,
    ).toBe('[]\n');

    const created = await as('finance-engineer', ['pipelines', 'apply', dir]);
    expect(created.code).toBe(EXIT.OK);
    expect(created.stdout).toMatch(/finance\/cli-orders\s+created\s+1/);
    expect(created.stdout).toMatch(/finance\/cli-refunds\s+created\s+1/);

    const again = await as('finance-engineer', [
      'pipelines',
      'apply',
      dir,
      '--json',
    ]);
    expect(
      JSON.parse(again.stdout).changes.map((c: { action: string }) => c.action),
    ).toEqual(['unchanged', 'unchanged']);

    const changed = {
      ...briefBatchExample('cli_orders'),
      schedule: '0 3 * * *',
    };
    fs.writeFileSync(path.join(a, 'pipeline.yaml'), stringify(changed));
    const diff = await as('finance-engineer', [
      'pipelines',
      'apply',
      a,
      '--dry-run',
    ]);
    expect(diff.stdout).toContain('finance/cli-orders: would update');
    expect(diff.stdout).toMatch(
      /-\s+cron: 0 2 \* \* \*\n\+\s+cron: 0 3 \* \* \*/,
    );
    const updated = await as('finance-engineer', ['pipelines', 'apply', a]);
    expect(updated.stdout).toMatch(/finance\/cli-orders\s+new version\s+2/);

    // One invalid file and nothing is applied.
    fs.writeFileSync(path.join(b, 'pipeline.yaml'), 'pipeline_type: nightly\n');
    fs.writeFileSync(
      path.join(a, 'pipeline.yaml'),
      stringify(briefBatchExample('cli_orders')),
    );
    const refused = await as('finance-engineer', ['pipelines', 'apply', dir]);
    expect(refused.code).toBe(EXIT.FAILED);
    expect(refused.stderr).toMatch(
      /cli-refunds[\\/]pipeline\.yaml:1:16: pipeline_type/,
    );
    const versions = await as('finance-engineer', [
      'pipelines',
      'versions',
      'finance/cli-orders',
      '--json',
    ]);
    expect(JSON.parse(versions.stdout)).toHaveLength(2);
  });

  it('refuses apply to a viewer with the reason, and keeps pipelines from other organizations', async () => {
    const folder = repository('cli-viewer', briefBatchExample('cli_viewer'));
    const denied = await as('finance-viewer', ['pipelines', 'apply', folder]);
    expect(denied.code).toBe(EXIT.DENIED);
    expect(denied.stderr).toMatch(/HTTP 403/);

    const outsider = await as('retail-admin', [
      'pipelines',
      'list',
      '--org',
      'finance',
      '--json',
    ]);
    expect(outsider.stdout).toBe('[]\n');
    const foreign = await as('retail-admin', [
      'pipelines',
      'get',
      'finance/cli-orders',
    ]);
    expect(foreign.code).toBe(EXIT.NOT_FOUND);
  });

  it('shows API problems with their field paths', async () => {
    const result = await as('finance-engineer', [
      'pipelines',
      'rollback',
      'finance/cli-orders',
      '--to',
      '0',
    ]);
    expect(result.code).toBe(EXIT.REJECTED);
    expect(result.stderr).toMatch(/version/);
  });

  it('gets a pipeline, rolls it back, triggers and follows a run, and cancels', async () => {
    const get = await as('finance-viewer', [
      'pipelines',
      'get',
      'finance/cli-orders',
    ]);
    expect(get.code).toBe(EXIT.OK);
    expect(get.stdout).toMatch(/version\s+2/);
    expect(get.stdout).toContain('table: cli_orders');

    const rollback = await as('finance-engineer', [
      'pipelines',
      'rollback',
      'cli-orders',
      '--org',
      'finance',
      '--to',
      '1',
    ]);
    expect(rollback.stdout).toBe(
      'finance/cli-orders: version 3 restores version 1\n',
    );

    const denied = await as('finance-viewer', [
      'runs',
      'trigger',
      'finance/cli-orders',
    ]);
    expect(denied.code).toBe(EXIT.DENIED);

    const triggered = await as('finance-analyst', [
      'runs',
      'trigger',
      'finance/cli-orders',
      '--json',
    ]);
    expect(triggered.code).toBe(EXIT.OK);
    const run = JSON.parse(triggered.stdout);
    expect(run).toMatchObject({ status: 'queued', pipelineVersion: 3 });

    const status = await as('finance-viewer', ['runs', 'status', run.id]);
    expect(status.stdout).toMatch(new RegExp(`id\\s+${run.id}`));
    expect((await as('retail-admin', ['runs', 'status', run.id])).code).toBe(
      EXIT.NOT_FOUND,
    );

    const cancelled = await as('finance-analyst', [
      'runs',
      'cancel',
      run.id,
      '--json',
    ]);
    expect(cancelled.code).toBe(EXIT.OK);
    // The run ends (cancelled, or failed first: no MySQL here); follow exits with its outcome.
    const followed = await as('finance-viewer', [
      'runs',
      'logs',
      run.id,
      '--follow',
    ]);
    expect(followed.code).toBe(EXIT.FAILED);
    expect(followed.stdout).toMatch(/→ queued/);
    expect(followed.stdout).toMatch(
      new RegExp(`run ${run.id} (cancelled|failed)`),
    );
  });

  it('lists tables, shows lineage and costs', async () => {
    const tables = await as('finance-viewer', [
      'tables',
      'list',
      '--org',
      'finance',
      '--json',
    ]);
    expect(tables.code).toBe(EXIT.OK);
    expect(JSON.parse(tables.stdout)).toEqual([]);

    const lineage = await as('finance-viewer', [
      'lineage',
      'finance/cli-orders',
      '--org',
      'finance',
    ]);
    expect(lineage.code).toBe(EXIT.OK);
    expect(lineage.stdout).toMatch(
      /transactions \(mysql-table\)\s+cli-orders \(pipeline\)/,
    );
    expect(lineage.stdout).toMatch(
      /cli-orders \(pipeline\)\s+finance_catalog\.analytics\.cli_orders/,
    );
    const foreign = await as('retail-admin', [
      'lineage',
      'finance_catalog.analytics.cli_orders',
      '--org',
      'finance',
    ]);
    expect(foreign.code).toBe(EXIT.NOT_FOUND);

    const month = new Date().toISOString().slice(0, 7);
    const costs = await as('finance-admin', [
      'costs',
      '--org',
      'finance',
      '--month',
      month,
    ]);
    expect(costs.code).toBe(EXIT.OK);
    expect(costs.stdout).toMatch(
      /^SERVICE\s+PIPELINE\s+QUANTITY\s+UNIT\s+AMOUNT \(USD\)/,
    );
    expect(costs.stdout).toMatch(
      /Total \d+\.\d\d USD \(finance, cost center FIN-001/,
    );
    const csv = await as('finance-admin', [
      'costs',
      '--org',
      'finance',
      '--month',
      month,
      '--by',
      'service',
      '--csv',
    ]);
    expect(csv.code).toBe(EXIT.OK);
    expect(csv.stdout.split('\n')[0]).toBe('SERVICE,AMOUNT (USD)');
    const foreignCosts = await as('retail-admin', [
      'costs',
      '--org',
      'finance',
      '--month',
      month,
    ]);
    expect(foreignCosts.code).toBe(EXIT.NOT_FOUND);
  });

  it('deletes a pipeline', async () => {
    const result = await as('finance-admin', [
      'pipelines',
      'delete',
      'finance/cli-refunds',
    ]);
    expect(result.code).toBe(EXIT.OK);
    const again = await as('finance-admin', [
      'pipelines',
      'get',
      'finance/cli-refunds',
    ]);
    expect(again.code).toBe(EXIT.NOT_FOUND);
  });
});
