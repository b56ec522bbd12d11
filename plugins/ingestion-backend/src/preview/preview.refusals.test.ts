import { TestDatabases } from '@backstage/backend-test-utils';
import {
  demoSpec,
  usePreviewFixture,
  type Json,
} from './__testUtils__/previewFixture';

jest.setTimeout(180_000);

/**
 * What `POST /v1/specs/preview` refuses, on SQLite and PostgreSQL as the plugin's store: sources
 * that cannot be read (422), bad specs and steps (400 with paths), other organizations and roles
 * (404, 403), the API rate limit (429), the concurrency cap (503) and the time box (504).
 */
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'spec preview refusals on %s',
  databaseId => {
    const fx = usePreviewFixture(databases, databaseId);

    it('answers 422 naming the source when it cannot be read', async () => {
      const base = demoSpec('daily-transactions');
      const unreachable = await fx.preview({
        organization: 'finance',
        spec: {
          ...base,
          source: { type: 'postgres', connection: 'closed', table: 'accounts' },
        },
      });
      expect(unreachable.status).toBe(422);
      expect(unreachable.body.error.name).toBe('SourceUnreadableError');
      expect(unreachable.body.error.message).toMatch(
        /^Cannot read postgres:.*accounts.*ECONNREFUSED/,
      );
      expect(unreachable.body.error.stack).toBeUndefined();

      const missing = await fx.preview({
        organization: 'finance',
        spec: {
          ...base,
          source: { type: 'file', path: 'raw/nothing/*.csv', format: 'csv' },
        },
      });
      expect(missing.status).toBe(422);
      expect(missing.body.error.message).toMatch(/^Cannot read .*raw\/nothing/);

      const noConnection = await fx.preview({
        organization: 'finance',
        spec: {
          ...base,
          source: { type: 'postgres', connection: 'nope', table: 'accounts' },
        },
      });
      expect(noConnection.status).toBe(422);
      expect(noConnection.body.error.message).toMatch(/Connection 'nope'/);
    });

    it('answers 400 with field paths for a bad spec or a step that cannot run', async () => {
      const res = await fx.preview({
        organization: 'finance',
        spec: {
          ...demoSpec('daily-transactions'),
          source: { type: 'file', format: 'csv' },
          transformations: [{ type: 'filter' }],
        },
      });
      expect(res.status).toBe(400);
      expect(res.body.problems.map((p: Json) => p.path)).toEqual(
        expect.arrayContaining(['source.path', 'transformations[0].condition']),
      );

      const missingColumn = await fx.preview({
        organization: 'finance',
        spec: {
          ...demoSpec('daily-transactions'),
          transformations: [
            { type: 'filter', condition: 'no_such_column > 1' },
          ],
        },
      });
      expect(missingColumn.status).toBe(400);
      expect(missingColumn.body.problems).toEqual([
        expect.objectContaining({ path: 'transformations[0]' }),
      ]);

      const tooMany = await fx.preview({
        organization: 'finance',
        spec: demoSpec('daily-transactions'),
        sampleRows: 1001,
      });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error.message).toMatch(/sampleRows/);
    });

    it("refuses other organizations' users (404) and roles that cannot create (403)", async () => {
      const body = {
        organization: 'finance',
        spec: demoSpec('daily-transactions'),
      };
      expect((await fx.preview(body, 'retail-engineer')).status).toBe(404);
      expect((await fx.preview(body, 'retail-admin')).status).toBe(404);
      expect((await fx.preview(body, 'finance-analyst')).status).toBe(403);
      expect((await fx.preview(body, 'finance-viewer')).status).toBe(403);
      expect((await fx.preview(body, 'finance-admin')).status).toBe(200);
    });

    it("counts against the organization's API rate limit, as any request", async () => {
      // A store of its own: organizations are seeded from config into an empty store only.
      const limited = await fx.start(
        {},
        { healthcare: { quotas: { api: { requestsPerDay: 2 } } } },
        await databases.init(databaseId),
      );
      const body = {
        organization: 'healthcare',
        spec: demoSpec('patient-visits'),
        sampleRows: 1,
      };
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        statuses.push(
          (await fx.preview(body, 'healthcare-engineer', limited)).status,
        );
      }
      expect(statuses).toEqual([200, 200, 429]);
    });

    it('runs at most ingestion.preview.maxConcurrent previews at once (503 beyond)', async () => {
      const single = await fx.start({ preview: { maxConcurrent: 1 } });
      const arrived = fx.slowArrived();
      const spec = (url: string) => ({
        ...demoSpec('daily-transactions'),
        source: { type: 'http', url, records_path: 'items' },
        transformations: [],
        data_quality: [],
      });
      const first = fx
        .preview(
          {
            organization: 'finance',
            spec: spec(`http://127.0.0.1:${fx.apiPort}/slow`),
          },
          'finance-engineer',
          single,
        )
        .then(res => res);
      await arrived;
      const second = await fx.preview(
        { organization: 'finance', spec: demoSpec('daily-transactions') },
        'finance-engineer',
        single,
      );
      expect(second.status).toBe(503);
      expect(second.body.error.message).toMatch(
        /ingestion\.preview\.maxConcurrent/,
      );
      fx.releaseSlow();
      expect((await first).status).toBe(200);
      const third = await fx.preview(
        { organization: 'finance', spec: demoSpec('daily-transactions') },
        'finance-engineer',
        single,
      );
      expect(third.status).toBe(200);
    });

    it('stops a preview past its time box (504)', async () => {
      const boxed = await fx.start({ preview: { timeoutSeconds: 0.001 } });
      const res = await fx.preview(
        { organization: 'finance', spec: demoSpec('daily-transactions') },
        'finance-engineer',
        boxed,
      );
      expect(res.status).toBe(504);
      expect(res.body.error).toMatchObject({
        name: 'PreviewTimeoutError',
        message: expect.stringMatching(/ingestion\.preview\.timeoutSeconds/),
      });
    });
  },
);
