import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { NotAllowedError } from '@backstage/errors';
import type { Request, Response } from 'express';
import type { AuditRecord } from '../audit';
import { RateLimitExceededError } from '../ratelimit/RateLimitExceededError';
import { QuotaExceededError } from '../service/QuotaExceededError';
import { createRefusalRecorder, refusalOf } from './refusals';

const minuteRefusal = () =>
  new RateLimitExceededError({
    organization: 'finance',
    quota: 'quotas.api.requestsPerMinute',
    window: 'minute',
    limit: 10,
    retryAfterSeconds: 30,
  });

describe('quota refusals', () => {
  it('knows which organization and quota refused, and nothing else', () => {
    expect(refusalOf(minuteRefusal())).toEqual({
      organization: 'finance',
      quota: 'api.requestsPerMinute',
    });
    expect(
      refusalOf(
        new RateLimitExceededError({
          organization: 'finance',
          principal: 'user:default/finance-analyst',
          share: 0.25,
          quota: 'ingestion.rateLimits.userShareOfOrganization',
          window: 'day',
          limit: 100,
          retryAfterSeconds: 30,
        }),
      ),
    ).toEqual({
      organization: 'finance',
      quota: 'rateLimits.userShareOfOrganization',
    });
    // A caller's own unattributed quota belongs to no organization's log.
    expect(
      refusalOf(
        new RateLimitExceededError({
          principal: 'user:default/x',
          quota: 'ingestion.rateLimits.unattributedPerUserPerMinute',
          window: 'minute',
          limit: 10,
          retryAfterSeconds: 30,
        }),
      ),
    ).toBeUndefined();
    expect(
      refusalOf(
        new QuotaExceededError('full', 60, {
          organization: 'retail',
          quota: 'databricks.maxConcurrentJobs',
        }),
      ),
    ).toEqual({
      organization: 'retail',
      quota: 'databricks.maxConcurrentJobs',
    });
    expect(refusalOf(new NotAllowedError('no'))).toBeUndefined();
  });

  it('records a refusal once a minute per organization and quota, and always passes the error on', async () => {
    const records: AuditRecord[] = [];
    let now = 0;
    const recorder = createRefusalRecorder({
      httpAuth: mockServices.httpAuth({
        defaultCredentials: mockCredentials.user(
          'user:default/finance-analyst',
        ),
      }),
      record: async event => {
        records.push(event);
      },
      clock: () => now,
    });
    const handle = (error: unknown) =>
      new Promise<unknown>(resolve =>
        recorder(
          error,
          {
            method: 'GET',
            baseUrl: '/api/ingestion',
            path: '/v1/pipelines',
            headers: {},
          } as unknown as Request,
          {} as Response,
          resolve,
        ),
      );

    const first = minuteRefusal();
    expect(await handle(first)).toBe(first);
    now = 59_000;
    await handle(minuteRefusal());
    now = 61_000;
    await handle(minuteRefusal());
    const other = new NotAllowedError('no');
    expect(await handle(other)).toBe(other);

    expect(records).toHaveLength(2);
    expect(records[0]).toEqual(
      expect.objectContaining({
        organizationId: 'finance',
        action: 'quota.refuse',
        targetType: 'quota',
        targetId: 'api.requestsPerMinute',
        outcome: 'denied',
        reason: first.message,
        meta: { method: 'GET', path: '/api/ingestion/v1/pipelines' },
      }),
    );
  });
});
