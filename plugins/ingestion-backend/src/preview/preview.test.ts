import { TestDatabases } from '@backstage/backend-test-utils';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import {
  demoSpec,
  usePreviewFixture,
  writtenState,
  type Json,
} from './__testUtils__/previewFixture';

jest.setTimeout(180_000);

/**
 * What `POST /v1/specs/preview` answers, with a real local-engine run on SQLite and PostgreSQL as
 * the plugin's store: the demo data as sample (rows, schema, PII), a rule that fails, samples of a
 * PostgreSQL table and of a paged HTTP API — and nothing written anywhere. Refusals are in
 * preview.refusals.test.ts.
 */
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('spec preview on %s', databaseId => {
  const fx = usePreviewFixture(databases, databaseId);

  it("previews healthcare's demo pipeline: rows, schema, PII and rules, nothing written", async () => {
    const before = await writtenState(fx.knex);
    const res = await fx.preview(
      {
        organization: 'healthcare',
        spec: demoSpec('patient-visits'),
        sampleRows: 10,
      },
      'healthcare-engineer',
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      sampleRows: 10,
      outputRows: 10,
      truncated: true,
    });
    expect(res.body.rows).toHaveLength(10);
    expect(res.body.rows[0].visit_id).toBe('V000001');
    expect(res.body.schema.map((c: Json) => c.name)).toEqual([
      'visit_id',
      'patient_id',
      'patient_name',
      'email',
      'ssn',
      'phone',
      'department',
      'visit_date',
    ]);
    expect(res.body.schema[0]).toEqual({
      name: 'visit_id',
      type: 'VARCHAR',
      nullable: true,
    });
    // The spec masks names, e-mails and SSNs; the phone numbers are found, and the development
    // environment masks them in the output as a run would before its commit.
    expect(res.body.pii).toEqual([
      { column: 'phone', kind: 'phone', masked: true },
    ]);
    expect(res.body.rows[0].phone).toMatch(/^[0-9a-f]{64}$/);
    expect(res.body.rows[0].ssn).toMatch(/^\*{7}\d{4}$/);
    expect(res.body.rows[0].visit_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(res.body.quality).toEqual([
      expect.objectContaining({
        name: 'completeness(visit_id, patient_id)',
        severity: 'fail',
        passed: true,
        metric: 1,
      }),
      expect.objectContaining({
        name: 'pattern(visit_id)',
        severity: 'warn',
        passed: true,
      }),
    ]);
    expect(res.body.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(await writtenState(fx.knex)).toEqual(before);
    // No table in the organization's storage, and the preview's workspace is gone.
    expect(await fs.readdir(join(fx.root, 'healthcare'))).not.toContain(
      'warehouse',
    );
    const tmp = join(fx.root, 'healthcare', 'tmp');
    expect(await fs.readdir(tmp).catch(() => [])).toEqual([]);
  });

  it('reports a rule that fails on the sample as a result, not an error', async () => {
    const spec = {
      ...demoSpec('daily-transactions'),
      data_quality: [
        { type: 'completeness', columns: ['customer_id'] },
        { type: 'range', columns: ['amount'], min: 100000, name: 'big' },
      ],
    };
    const res = await fx.preview({ organization: 'finance', spec });
    expect(res.status).toBe(200);
    expect(res.body.quality).toEqual([
      expect.objectContaining({ severity: 'fail', passed: true }),
      expect.objectContaining({
        name: 'big',
        type: 'range',
        severity: 'fail',
        passed: false,
      }),
    ]);
    expect(res.body.quality[1].metric).toBeLessThan(1);
    // The default sample, after the filter and the aggregate.
    expect(res.body.sampleRows).toBe(100);
    expect(res.body.outputRows).toBeGreaterThan(0);
    expect(res.body.outputRows).toBeLessThanOrEqual(100);
    expect(res.body.schema.map((c: Json) => c.name)).toEqual([
      'customer_id',
      'date',
      'amount',
      'count',
    ]);
  });

  it('reads only the sample of a PostgreSQL table', async () => {
    const res = await fx.preview({
      organization: 'finance',
      sampleRows: 5,
      spec: {
        ...demoSpec('daily-transactions'),
        source: {
          type: 'postgres',
          connection: 'warehouse',
          table: fx.sourceTable,
        },
        transformations: [{ type: 'filter', condition: 'id > 2' }],
        data_quality: [{ type: 'row_count', min: 10 }],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      sampleRows: 5,
      outputRows: 3,
      truncated: true,
    });
    expect(res.body.rows.map((r: Json) => r.id)).toEqual([3, 4, 5]);
    expect(res.body.quality).toEqual([
      expect.objectContaining({ type: 'row_count', passed: false }),
    ]);
  });

  it('stops paging an HTTP source once the sample is full', async () => {
    fx.pagesServed.length = 0;
    const res = await fx.preview({
      organization: 'finance',
      sampleRows: 4,
      spec: {
        ...demoSpec('daily-transactions'),
        source: {
          type: 'http',
          url: `http://127.0.0.1:${fx.apiPort}/events`,
          records_path: 'items',
          pagination: { type: 'page', page_param: 'page', start_page: 0 },
        },
        transformations: [],
        data_quality: [],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ sampleRows: 4, truncated: true });
    // JSON numbers are BIGINT in DuckDB, which the rows carry as exact text.
    expect(res.body.rows.map((r: Json) => r.id)).toEqual(['1', '2', '3', '4']);
    expect(res.body.schema[0]).toEqual({
      name: 'id',
      type: 'BIGINT',
      nullable: true,
    });
    // Two pages hold the sample and the row that tells there is more.
    expect(fx.pagesServed).toEqual([0, 1]);
  });
});
