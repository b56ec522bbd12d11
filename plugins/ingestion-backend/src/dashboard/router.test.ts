import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import type { DashboardService } from './DashboardService';
import { createDashboardRouter } from './router';

/**
 * The dashboard routes by themselves (in the plugin the OpenAPI validator checks the path first):
 * the router's own checks name a bad path parameter as `path.<name>`, a bad query parameter by its name.
 */
describe('dashboard router input', () => {
  const service = {
    dashboard: jest.fn(async (_credentials, organization: string) => ({
      organization,
    })),
    pipelines: jest.fn(async () => ({ items: [], totalCount: 0 })),
  };
  const app = express().use(
    createDashboardRouter({
      httpAuth: mockServices.httpAuth(),
      service: service as unknown as DashboardService,
    }),
    MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
    }).error(),
  );
  const get = (path: string, query: Record<string, string> = {}) =>
    request(app)
      .get(path)
      .query(query)
      .set('Authorization', mockCredentials.user.header());
  const tooLong = 'a'.repeat(65);

  beforeEach(() => jest.clearAllMocks());

  it('names a bad organization id in the path as path.organizationId', async () => {
    for (const path of [
      `/organizations/${tooLong}/dashboard`,
      `/organizations/${tooLong}/dashboard/pipelines`,
    ]) {
      const res = await get(path);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ name: 'InputError' });
      expect(res.body.error.message).toMatch(/^path\.organizationId: /);
      expect(res.body.error.message).not.toMatch(/query/);
    }
    expect(service.dashboard).not.toHaveBeenCalled();
    expect(service.pipelines).not.toHaveBeenCalled();
  });

  it('names a bad query parameter by its name, and passes a good path on', async () => {
    const limit = await get('/organizations/finance/dashboard/pipelines', {
      limit: '0',
    });
    expect(limit.status).toBe(400);
    expect(limit.body.error.message).toBe(
      'limit: must be an integer from 1 to 100',
    );
    const ok = await get('/organizations/finance/dashboard');
    expect(ok.status).toBe(200);
    expect(service.dashboard).toHaveBeenCalledWith(
      expect.anything(),
      'finance',
    );
    const list = await get('/organizations/finance/dashboard/pipelines');
    expect(list.body).toEqual({ items: [], totalCount: 0 });
    expect(service.pipelines).toHaveBeenCalledWith(
      expect.anything(),
      'finance',
      { offset: 0, limit: 20 },
    );
  });
});
