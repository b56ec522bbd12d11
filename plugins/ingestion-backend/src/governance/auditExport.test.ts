import { TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import { as } from '../__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from '../__testUtils__/setUpIngestionTestBackend';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const event = (at: string, actor: string, reason?: string) => ({
  organization_id: 'finance',
  actor,
  action: 'connection.rotate',
  target_type: 'connection',
  target_id: 'c1',
  outcome: 'success',
  reason: reason ?? null,
  meta: JSON.stringify({ name: 'finance-db' }),
  at: new Date(at),
});

describe.each(databases.eachSupportedId())(
  'GET /v1/audit time range and CSV on %s',
  databaseId => {
    const ingestion = setUpIngestionTestBackend(
      databases,
      databaseId,
      {},
      { stop: true },
    );

    beforeAll(async () => {
      await ingestion
        .knex('audit_events')
        .insert([
          event('2026-11-01T10:00:00Z', 'user:default/finance-admin'),
          event('2026-11-02T10:00:00Z', 'user:default/finance-engineer'),
          event(
            '2026-11-03T10:00:00Z',
            'user:default/finance-admin',
            '=HYPERLINK("http://evil")',
          ),
        ]);
      await ingestion.knex('audit_events').insert({
        ...event('2026-11-02T12:00:00Z', 'user:default/retail-admin'),
        organization_id: 'retail',
      });
    });

    const audit = (user: string, query: Record<string, string | number>) =>
      request(ingestion.server)
        .get('/api/ingestion/v1/audit')
        .query({ organization: 'finance', ...query })
        .set('Authorization', as(user));

    it('filters by time range: from inclusive, to exclusive, and pages within it', async () => {
      const res = await audit('finance-admin', {
        from: '2026-11-02T00:00:00Z',
        to: '2026-11-03T10:00:00Z',
      });
      expect(res.status).toBe(200);
      expect(res.body.items.map((i: { at: string }) => i.at)).toEqual([
        '2026-11-02T10:00:00.000Z',
      ]);
      const first = await audit('finance-admin', {
        from: '2026-11-01T10:00:00Z',
        limit: 2,
      });
      expect(first.body.items).toHaveLength(2);
      const second = await audit('finance-admin', {
        from: '2026-11-01T10:00:00Z',
        limit: 2,
        cursor: first.body.nextCursor,
      });
      expect(second.body.items.map((i: { at: string }) => i.at)).toEqual([
        '2026-11-01T10:00:00.000Z',
      ]);
      // A cursor continues only the list (filters included) it was issued for.
      const other = await audit('finance-admin', {
        from: '2026-11-02T00:00:00Z',
        limit: 2,
        cursor: first.body.nextCursor,
      });
      expect(other.status).toBe(400);
      expect(
        (await audit('finance-admin', { from: 'yesterday' })).body.error
          .message,
      ).toMatch(/from/);
    });

    it('exports every matching event as CSV with formulas neutralised, for admins only', async () => {
      const res = await audit('finance-admin', {
        format: 'csv',
        actor: 'user:default/finance-admin',
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['content-disposition']).toMatch(
        /attachment; filename="audit-finance.csv"/,
      );
      const lines = res.text.trimEnd().split('\r\n');
      expect(lines[0]).toBe(
        'at,organization,actor,action,target_type,target_id,outcome,reason,meta',
      );
      expect(lines.slice(1)).toEqual([
        `2026-11-03T10:00:00.000Z,finance,user:default/finance-admin,connection.rotate,connection,c1,success,"'=HYPERLINK(""http://evil"")","{""name"":""finance-db""}"`,
        `2026-11-01T10:00:00.000Z,finance,user:default/finance-admin,connection.rotate,connection,c1,success,,"{""name"":""finance-db""}"`,
      ]);
      expect((await audit('finance-engineer', { format: 'csv' })).status).toBe(
        403,
      );
      expect((await audit('retail-admin', { format: 'csv' })).status).toBe(404);
      expect((await audit('finance-admin', { format: 'xml' })).status).toBe(
        400,
      );
    });
  },
);
