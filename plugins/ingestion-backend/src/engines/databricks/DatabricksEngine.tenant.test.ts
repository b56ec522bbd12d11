import { mockServices } from '@backstage/backend-test-utils';
import { DatabricksTestServer } from '@ingestion-for-backstage/plugin-ingestion-node';
import { DatabricksEngine } from './DatabricksEngine';
import {
  engineRunContext,
  financeOrganization,
  NOTEBOOK_PATH,
  TOKEN,
} from './__testUtils__/engineContext';

/**
 * The Databricks engine generates from the spec with the shared tenant rule: a notebook that
 * names another organization's catalog or bucket, which would run with the cluster's
 * credentials, is never imported or submitted.
 */
describe('DatabricksEngine: tenant resources', () => {
  let server: DatabricksTestServer;
  let engine: DatabricksEngine;

  beforeEach(async () => {
    server = await DatabricksTestServer.start({ token: TOKEN });
    engine = new DatabricksEngine({
      logger: mockServices.logger.mock(),
      client: {
        sleep: async () => {},
        random: () => 0,
        requestTimeoutMs: 2000,
      },
    });
  }, 30_000);

  afterEach(async () => {
    await server.stop();
  });

  function context() {
    return engineRunContext({
      organization: financeOrganization({ host: server.url }),
      logs: [],
    });
  }

  it("refuses another organization's catalog before importing anything", async () => {
    const ctx = context();
    ctx.spec = {
      ...ctx.spec,
      target: { ...ctx.spec.target, catalog: 'retail_catalog' } as any,
    };
    await expect(engine.submit(ctx)).rejects.toThrow(
      "target.catalog: catalog `retail_catalog` is not one of organization finance's catalogs (finance_catalog)",
    );
    expect(server.notebook(NOTEBOOK_PATH)).toBeUndefined();
    expect(server.runs()).toEqual([]);
  });

  it("refuses another organization's bucket", async () => {
    const ctx = context();
    ctx.spec = {
      ...ctx.spec,
      target: {
        type: 'delta',
        path: 's3://retail-data-lake/curated/daily',
        mode: 'append',
      },
    };
    await expect(engine.submit(ctx)).rejects.toThrow(
      /target\.path: `s3:\/\/retail-data-lake\/curated\/daily` is not in organization finance's storage/,
    );
    expect(server.runs()).toEqual([]);
  });

  it("submits the organization's own spec", async () => {
    await expect(engine.submit(context())).resolves.toEqual({
      engineRunId: expect.any(String),
    });
    expect(server.notebook(NOTEBOOK_PATH)).toBeDefined();
  });
});
