import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import { batchSpec } from '../__testUtils__/specs';
import { as } from '../__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from '../__testUtils__/setUpIngestionTestBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'GET /v1/audit on %s',
  databaseId => {
    const ingestion = setUpIngestionTestBackend(databases, databaseId);

    beforeEach(async () => {
      await ingestion.knex('audit_events').delete();
    });

    const audit = (user: string, query: Record<string, string | number> = {}) =>
      request(ingestion.server)
        .get('/api/ingestion/v1/audit')
        .query(query)
        .set('Authorization', as(user));

    it('records a denied event when a viewer reads the audit log, visible to the admin only', async () => {
      const denied = await audit('finance-viewer', { organization: 'finance' });
      expect(denied.status).toBe(403);
      expect(denied.body.error.message).toBe(
        "Your roles in organization 'finance' do not allow ingestion.audit.read",
      );

      const res = await audit('finance-admin', { organization: 'finance' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        items: [
          {
            id: expect.any(String),
            organization: 'finance',
            actor: 'user:default/finance-viewer',
            action: 'audit.read',
            targetType: 'audit',
            outcome: 'denied',
            reason:
              "Your roles in organization 'finance' do not allow ingestion.audit.read",
            meta: { permission: 'ingestion.audit.read', status: 403 },
            at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
          },
        ],
      });
    });

    it('answers members who are not admins 403 and everyone else 404, recording each denial', async () => {
      for (const role of ['engineer', 'analyst', 'viewer']) {
        expect(
          (await audit(`finance-${role}`, { organization: 'finance' })).status,
        ).toBe(403);
      }
      expect(
        (await audit('retail-admin', { organization: 'finance' })).status,
      ).toBe(404);
      expect((await audit('nobody', { organization: 'finance' })).status).toBe(
        404,
      );
      // An organization that does not exist: the same 404, and nothing stored.
      expect(
        (await audit('finance-admin', { organization: 'nope' })).status,
      ).toBe(404);

      const res = await audit('finance-admin', {
        organization: 'finance',
        outcome: 'denied',
      });
      expect(
        res.body.items.map(
          (i: { actor: string; meta: { status: number } }) =>
            `${i.actor}:${i.meta.status}`,
        ),
      ).toEqual([
        'user:default/nobody:404',
        'user:default/retail-admin:404',
        'user:default/finance-viewer:403',
        'user:default/finance-analyst:403',
        'user:default/finance-engineer:403',
      ]);
      expect(
        Number(
          (
            await ingestion
              .knex('audit_events')
              .whereNot('organization_id', 'finance')
              .count({ n: '*' })
          )[0].n,
        ),
      ).toBe(0);
    });

    it("keeps each organization's events to its own admins; platform admins see every organization", async () => {
      await audit('retail-viewer', { organization: 'retail' });
      await audit('finance-viewer', { organization: 'finance' });

      const retail = await audit('retail-admin', { organization: 'retail' });
      expect(retail.status).toBe(200);
      expect(retail.body.items.map((i: { actor: string }) => i.actor)).toEqual([
        'user:default/retail-viewer',
      ]);
      const platform = await audit('platform-admin', {
        organization: 'finance',
      });
      expect(platform.status).toBe(200);
      expect(
        platform.body.items.map((i: { actor: string }) => i.actor),
      ).toEqual(['user:default/finance-viewer']);
    });

    it('shows mutations and denied mutations of the API', async () => {
      const created = await request(ingestion.server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as('finance-engineer'))
        .send({ organization: 'finance', name: 'audited', spec: batchSpec() });
      expect(created.status).toBe(201);
      const refused = await request(ingestion.server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as('finance-viewer'))
        .send({ organization: 'finance', name: 'refused', spec: batchSpec() });
      expect(refused.status).toBe(403);

      const res = await audit('finance-admin', {
        organization: 'finance',
        action: 'pipeline.create',
      });
      expect(
        res.body.items.map(
          (i: { actor: string; outcome: string; targetId?: string }) => [
            i.actor,
            i.outcome,
            i.targetId,
          ],
        ),
      ).toEqual([
        ['user:default/finance-viewer', 'denied', undefined],
        ['user:default/finance-engineer', 'success', created.body.id],
      ]);
    });

    it('pages newest first with a cursor', async () => {
      for (const role of [
        'engineer',
        'analyst',
        'viewer',
        'engineer',
        'analyst',
      ]) {
        await audit(`finance-${role}`, { organization: 'finance' });
      }
      const first = await audit('finance-admin', {
        organization: 'finance',
        limit: 2,
      });
      expect(first.body.items).toHaveLength(2);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await audit('finance-admin', {
        organization: 'finance',
        limit: 2,
        cursor: first.body.nextCursor,
      });
      const third = await audit('finance-admin', {
        organization: 'finance',
        limit: 2,
        cursor: second.body.nextCursor,
      });
      expect(third.body.nextCursor).toBeUndefined();
      const ids = [first, second, third].flatMap(page =>
        page.body.items.map((i: { id: string }) => Number(i.id)),
      );
      expect(ids).toHaveLength(5);
      expect([...ids].sort((a, b) => b - a)).toEqual(ids);
      expect(
        [first, second, third]
          .flatMap(page =>
            page.body.items.map((i: { actor: string }) => i.actor),
          )
          .map(actor => actor.replace('user:default/finance-', '')),
      ).toEqual(['analyst', 'engineer', 'viewer', 'analyst', 'engineer']);
    });

    it('answers 400 naming the parameter', async () => {
      // The OpenAPI validator or the route answers these; each message names the parameter.
      const cases: Array<[Record<string, string | number>, RegExp]> = [
        [{}, /organization/],
        [{ organization: 'finance', limit: 0 }, /limit/],
        [{ organization: 'finance', limit: 501 }, /limit/],
        [{ organization: 'finance', limit: 'ten' }, /limit/],
        [{ organization: 'finance', outcome: 'maybe' }, /outcome/],
        [
          { organization: 'finance', cursor: 'not-a-cursor' },
          /cursor: not a cursor returned by this API/,
        ],
        [{ organization: 'finance', sort: 'at' }, /sort/],
      ];
      for (const [query, message] of cases) {
        const res = await audit('finance-admin', query);
        expect(res.status).toBe(400);
        expect(res.body.error.name).toBe('InputError');
        expect(res.body.error.message).toMatch(message);
      }
      const twice = await request(ingestion.server)
        .get('/api/ingestion/v1/audit?organization=finance&organization=retail')
        .set('Authorization', as('finance-admin'));
      expect(twice.status).toBe(400);
      expect(twice.body.error.message).toMatch(/organization/);
    });

    it('needs a token', async () => {
      const res = await request(ingestion.server)
        .get('/api/ingestion/v1/audit?organization=finance')
        .set('Authorization', mockCredentials.none.header());
      expect(res.status).toBe(401);
    });
  },
);
