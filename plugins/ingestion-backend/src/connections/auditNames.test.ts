import { TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import { TEST_CONFIG } from '../__testUtils__/demoTenants';
import {
  as,
  startIngestionTestBackend,
} from '../__testUtils__/startIngestionTestBackend';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'connection audit events on %s',
  databaseId => {
    it('name the connection in create, rotate and delete events, never its secret', async () => {
      const backend = await startIngestionTestBackend({
        knex: await databases.init(databaseId),
        config: {
          ingestion: {
            ...TEST_CONFIG.ingestion,
            rateLimits: { enabled: false },
          },
        },
      });
      try {
        const api = () => request(backend.server);
        const created = await api()
          .post('/api/ingestion/v1/connections')
          .set('Authorization', as('finance-admin'))
          .send({
            organization: 'finance',
            name: 'ledger-db',
            type: 'mariadb',
            host: 'db.finance.internal',
            user: 'etl',
            password: 'first-secret',
          });
        expect(created.status).toBe(201);
        const id = created.body.id;
        expect(
          (
            await api()
              .post(`/api/ingestion/v1/connections/${id}/rotate`)
              .set('Authorization', as('finance-admin'))
              .send({ password: 'second-secret' })
          ).status,
        ).toBe(200);
        expect(
          (
            await api()
              .delete(`/api/ingestion/v1/connections/${id}`)
              .set('Authorization', as('finance-admin'))
          ).status,
        ).toBe(204);

        const audit = await api()
          .get('/api/ingestion/v1/audit')
          .query({ organization: 'finance', targetType: 'connection' })
          .set('Authorization', as('finance-admin'));
        expect(
          audit.body.items.map(
            (e: { action: string; targetId: string; meta: unknown }) => [
              e.action,
              e.targetId,
              e.meta,
            ],
          ),
        ).toEqual([
          ['connection.delete', id, { name: 'ledger-db', type: 'mariadb' }],
          ['connection.rotate', id, { name: 'ledger-db', type: 'mariadb' }],
          ['connection.create', id, { name: 'ledger-db', type: 'mariadb' }],
        ]);
        expect(audit.text).not.toMatch(/first-secret|second-secret/);
      } finally {
        await backend.stop();
      }
    });
  },
);
