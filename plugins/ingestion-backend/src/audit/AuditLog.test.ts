import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { NotAllowedError } from '@backstage/errors';
import type { Knex } from 'knex';
import { applyDatabaseMigrations } from '../database/migrations';
import { AuditLog, isAuditedDenial, markAuditedDenial } from './AuditLog';
import { DatabaseAuditStore, type AuditStore } from './AuditStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const finance = { organizationIds: ['finance'] };

function mockAuditor() {
  const events: Array<{
    options: Record<string, any>;
    status?: 'succeeded' | 'failed';
    error?: Error;
  }> = [];
  const auditor = mockServices.auditor.mock({
    createEvent: jest.fn(async options => {
      const entry: (typeof events)[number] = { options };
      events.push(entry);
      return {
        success: jest.fn(async () => {
          entry.status = 'succeeded';
        }),
        fail: jest.fn(async ({ error }) => {
          entry.status = 'failed';
          entry.error = error;
        }),
      };
    }),
  });
  return { auditor, events };
}

describe.each(databases.eachSupportedId())('AuditLog on %s', databaseId => {
  let knex: Knex;
  let clockAt: number;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    await applyDatabaseMigrations(knex);
  });

  beforeEach(async () => {
    await knex('audit_events').delete();
    clockAt = Date.UTC(2026, 2, 10, 10, 0, 0);
  });

  function create(store: AuditStore = new DatabaseAuditStore(knex)) {
    const { auditor, events } = mockAuditor();
    const logger = mockServices.logger.mock();
    const audit = AuditLog.create({
      store,
      auditor,
      logger,
      clock: () => new Date(clockAt),
    });
    return { audit, events, logger, store: new DatabaseAuditStore(knex) };
  }

  it('stores an event and emits it through the auditor', async () => {
    const { audit, events, store } = create();
    await audit.record({
      credentials: mockCredentials.user('user:default/Finance-Engineer'),
      organizationId: 'finance',
      action: 'pipeline.create',
      targetType: 'pipeline',
      targetId: 'p-1',
      outcome: 'success',
      meta: { name: 'daily', version: 1 },
    });

    const page = await store.list(finance, { limit: 10 });
    expect(page).toEqual({
      items: [
        {
          id: expect.any(String),
          organization: 'finance',
          actor: 'user:default/finance-engineer',
          action: 'pipeline.create',
          targetType: 'pipeline',
          targetId: 'p-1',
          outcome: 'success',
          meta: { name: 'daily', version: 1 },
          at: '2026-03-10T10:00:00.000Z',
        },
      ],
    });
    expect(events).toEqual([
      {
        options: {
          eventId: 'pipeline-create',
          severityLevel: 'medium',
          request: undefined,
          meta: {
            organization: 'finance',
            actor: 'user:default/finance-engineer',
            action: 'pipeline.create',
            targetType: 'pipeline',
            targetId: 'p-1',
            outcome: 'success',
            details: { name: 'daily', version: 1 },
            id: page.items[0].id,
          },
        },
        status: 'succeeded',
      },
    ]);
  });

  it('never stores or emits secrets given in meta', async () => {
    const { audit, events, store } = create();
    await audit.record({
      actor: 'user:default/finance-admin',
      organizationId: 'finance',
      action: 'connection.rotate',
      targetType: 'connection',
      targetId: 'c-1',
      outcome: 'success',
      meta: {
        name: 'orders-db',
        password: 'hunter2',
        settings: { host: 'db', user: 'ingest', clientSecret: 'abc' },
        url: 'postgres://ingest:hunter2@db/orders',
      },
    });
    const [item] = (await store.list(finance, { limit: 1 })).items;
    expect(item.meta).toEqual({
      name: 'orders-db',
      settings: { host: 'db', user: 'ingest' },
      url: 'postgres://ingest:***@db/orders',
    });
    const rows = await knex('audit_events').select('meta');
    expect(JSON.stringify(rows)).not.toMatch(/hunter2|abc/);
    expect(JSON.stringify(events)).not.toMatch(/hunter2|abc/);
    // Credentials are permission-relevant: high severity even on success.
    expect(events[0].options.severityLevel).toBe('high');
  });

  it('emits denials and failures as failed auditor events, denials with high severity', async () => {
    const { audit, events } = create();
    await audit.record({
      credentials: mockCredentials.user('user:default/finance-viewer'),
      organizationId: 'finance',
      action: 'pipeline.delete',
      targetType: 'pipeline',
      outcome: 'denied',
      reason: 'Your roles do not allow it',
    });
    await audit.record({
      credentials: mockCredentials.service('plugin:scaffolder'),
      organizationId: 'finance',
      action: 'run.trigger',
      targetType: 'run',
      outcome: 'failure',
      reason: 'engine unavailable',
      severityLevel: 'low',
    });
    expect(
      events.map(e => [e.options.eventId, e.options.severityLevel]),
    ).toEqual([
      ['pipeline-delete', 'high'],
      ['run-trigger', 'low'],
    ]);
    expect(events.map(e => [e.status, e.error?.message])).toEqual([
      ['failed', 'Your roles do not allow it'],
      ['failed', 'engine unavailable'],
    ]);
    expect(events[1].options.meta.actor).toBe('service:plugin:scaffolder');
  });

  it('notes the service acting on behalf of a user', async () => {
    const { audit, store } = create();
    await audit.record({
      credentials: mockCredentials.user('user:default/jane', {
        actor: { subject: 'plugin:scaffolder' },
      }),
      organizationId: 'finance',
      action: 'pipeline.create',
      targetType: 'pipeline',
      outcome: 'success',
    });
    const [item] = (await store.list(finance, { limit: 1 })).items;
    expect(item.actor).toBe('user:default/jane');
    expect(item.meta).toEqual({ onBehalfOf: 'service:plugin:scaffolder' });
  });

  it('logs instead of throwing when the store fails, and still emits the event', async () => {
    const failing: AuditStore = {
      insert: async () => {
        throw new Error('database is gone');
      },
      list: async () => ({ items: [] }),
    };
    const { audit, events, logger } = create(failing);
    await expect(
      audit.record({
        actor: 'user:default/finance-admin',
        organizationId: 'finance',
        action: 'pipeline.delete',
        targetType: 'pipeline',
        outcome: 'success',
      }),
    ).resolves.toBeUndefined();
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('database is gone'),
    );
    expect(events[0].options.meta.stored).toBe(false);
  });

  it('emits without storing when asked not to persist', async () => {
    const { audit, events, store } = create();
    await audit.record({
      actor: 'user:default/someone',
      organizationId: 'made-up',
      action: 'audit.read',
      targetType: 'audit',
      outcome: 'denied',
      persist: false,
    });
    expect(await knex('audit_events').select('id')).toEqual([]);
    expect(events).toHaveLength(1);
    expect(
      (await store.list({ organizationIds: ['made-up'] }, { limit: 5 })).items,
    ).toEqual([]);
  });

  it('writes in the caller transaction and emits only once it commits', async () => {
    const { audit, events, store } = create();
    await knex.transaction(async trx => {
      await audit.record(
        {
          actor: 'user:default/finance-admin',
          organizationId: 'finance',
          action: 'pipeline.update',
          targetType: 'pipeline',
          outcome: 'success',
        },
        { transaction: trx },
      );
      expect(events).toHaveLength(0);
    });
    await new Promise(resolve => setImmediate(resolve));
    expect(events).toHaveLength(1);

    await expect(
      knex.transaction(async trx => {
        await audit.record(
          {
            actor: 'user:default/finance-admin',
            organizationId: 'finance',
            action: 'pipeline.delete',
            targetType: 'pipeline',
            outcome: 'success',
          },
          { transaction: trx },
        );
        throw new Error('mutation failed');
      }),
    ).rejects.toThrow('mutation failed');
    await new Promise(resolve => setImmediate(resolve));
    expect(events).toHaveLength(1);
    expect(
      (await store.list(finance, { limit: 10 })).items.map(i => i.action),
    ).toEqual(['pipeline.update']);
  });

  it('tracks a mutation: success with its result, failure with the error, authorizer denials once', async () => {
    const { audit, store } = create();
    const credentials = mockCredentials.user('user:default/finance-admin');
    const created = await audit.track(
      {
        credentials,
        organizationId: 'finance',
        action: 'pipeline.create',
        targetType: 'pipeline',
        meta: { name: 'daily' },
      },
      async () => ({ id: 'p-9', version: 1 }),
      { targetIdOf: r => r.id, metaOf: r => ({ version: r.version }) },
    );
    expect(created).toEqual({ id: 'p-9', version: 1 });

    clockAt += 1000;
    await expect(
      audit.track(
        {
          credentials,
          organizationId: 'finance',
          action: 'pipeline.delete',
          targetType: 'pipeline',
          targetId: 'p-9',
        },
        async () => {
          throw new Error('locked');
        },
      ),
    ).rejects.toThrow('locked');

    clockAt += 1000;
    const recorded = markAuditedDenial(new NotAllowedError('no'));
    expect(isAuditedDenial(recorded)).toBe(true);
    await expect(
      audit.track(
        {
          credentials,
          organizationId: 'finance',
          action: 'pipeline.delete',
          targetType: 'pipeline',
        },
        async () => {
          throw recorded;
        },
      ),
    ).rejects.toBe(recorded);

    const items = (await store.list(finance, { limit: 10 })).items;
    expect(
      items.map(i => [i.action, i.outcome, i.targetId, i.reason, i.meta]),
    ).toEqual([
      ['pipeline.delete', 'failure', 'p-9', 'locked', undefined],
      [
        'pipeline.create',
        'success',
        'p-9',
        undefined,
        { name: 'daily', version: 1 },
      ],
    ]);
  });

  it('lists newest first with keyset pagination, ties broken by id', async () => {
    const { audit, store } = create();
    // 7 events, the last four in the same millisecond.
    for (let i = 0; i < 7; i++) {
      clockAt = Date.UTC(2026, 2, 10, 10, 0, Math.min(i, 3));
      await audit.record({
        actor: 'user:default/finance-admin',
        organizationId: 'finance',
        action: 'pipeline.update',
        targetType: 'pipeline',
        targetId: `p-${i}`,
        outcome: 'success',
      });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.list(finance, { limit: 3, cursor });
      seen.push(...page.items.map(i => i.targetId!));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(['p-6', 'p-5', 'p-4', 'p-3', 'p-2', 'p-1', 'p-0']);
  });

  it('filters by action, outcome, target and actor, only within the allowed organizations', async () => {
    const { audit, store } = create();
    const base = {
      targetType: 'pipeline',
      outcome: 'success' as const,
    };
    await audit.record({
      ...base,
      actor: 'user:default/finance-admin',
      organizationId: 'finance',
      action: 'pipeline.create',
      targetId: 'a',
    });
    await audit.record({
      ...base,
      actor: 'user:default/finance-viewer',
      organizationId: 'finance',
      action: 'pipeline.delete',
      targetId: 'a',
      outcome: 'denied',
    });
    await audit.record({
      ...base,
      actor: 'user:default/retail-admin',
      organizationId: 'retail',
      action: 'pipeline.create',
      targetId: 'b',
    });
    await audit.record({
      actor: 'user:default/finance-admin',
      organizationId: 'finance',
      action: 'connection.create',
      targetType: 'connection',
      targetId: 'c',
      outcome: 'success',
    });
    const ids = async (query: Record<string, string>, filter = finance) =>
      (await store.list(filter, { limit: 10, ...query })).items.map(
        i => `${i.action}:${i.targetId}`,
      );

    expect(await ids({})).toEqual([
      'connection.create:c',
      'pipeline.delete:a',
      'pipeline.create:a',
    ]);
    expect(await ids({ action: 'pipeline.create' })).toEqual([
      'pipeline.create:a',
    ]);
    expect(await ids({ outcome: 'denied' })).toEqual(['pipeline.delete:a']);
    expect(await ids({ targetType: 'connection' })).toEqual([
      'connection.create:c',
    ]);
    expect(await ids({ targetId: 'a' })).toEqual([
      'pipeline.delete:a',
      'pipeline.create:a',
    ]);
    expect(await ids({ actor: 'User:Default/Finance-Viewer' })).toEqual([
      'pipeline.delete:a',
    ]);
    expect(await ids({}, { organizationIds: ['retail'] })).toEqual([
      'pipeline.create:b',
    ]);
    expect(await ids({}, { organizationIds: [] })).toEqual([]);
  });
});
