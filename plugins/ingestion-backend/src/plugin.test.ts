import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { ingestionPlugin } from './plugin';
import { demoUserInfoServiceFactory } from '@internal/ingestion-test-utils';
import { TEST_CONFIG } from './__testUtils__/demoTenants';

describe('ingestion backend plugin', () => {
  async function start() {
    const { server } = await startTestBackend({
      features: [
        ingestionPlugin,
        mockServices.rootConfig.factory({ data: TEST_CONFIG }),
        demoUserInfoServiceFactory({
          'user:default/dual-role': [
            'group:default/finance-engineers',
            'group:default/retail-viewers',
          ],
        }),
      ],
    });
    return server;
  }

  it('answers health without credentials', async () => {
    const server = await start();
    const res = await request(server)
      .get('/api/ingestion/v1/health')
      .set('Authorization', mockCredentials.none.header());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('refuses other routes without credentials', async () => {
    const server = await start();
    const res = await request(server)
      .get('/api/ingestion/v1/organizations')
      .set('Authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
  });

  it('lists only the organizations the caller belongs to, with roles', async () => {
    const server = await start();
    const res = await request(server)
      .get('/api/ingestion/v1/organizations')
      .set(
        'Authorization',
        mockCredentials.user.header('user:default/finance-analyst'),
      );
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({
      id: 'finance',
      costCenter: 'FIN-001',
      roles: ['analyst'],
    });
  });

  it('gives a user different roles in different organizations', async () => {
    const server = await start();
    const res = await request(server)
      .get('/api/ingestion/v1/organizations')
      .set(
        'Authorization',
        mockCredentials.user.header('user:default/dual-role'),
      );
    expect(
      res.body.items.map((o: { id: string; roles: string[] }) => [
        o.id,
        o.roles,
      ]),
    ).toEqual([
      ['finance', ['engineer']],
      ['retail', ['viewer']],
    ]);
  });

  it('gives a user outside every organization nothing', async () => {
    const server = await start();
    const res = await request(server)
      .get('/api/ingestion/v1/organizations')
      .set('Authorization', mockCredentials.user.header('user:default/nobody'));
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
  });
});
