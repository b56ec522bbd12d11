import { mockServices } from '@backstage/backend-test-utils';
import type {
  EntityProviderConnection,
  EntityProviderMutation,
} from '@backstage/plugin-catalog-node';
import { IngestionEntityProvider } from './IngestionEntityProvider';
import { FakeSource } from '../__testUtils__/FakeSource';
import { organization, pipeline, table } from '../__testUtils__/fixtures';
import { TenantDirectory } from '../tenancy/TenantDirectory';

function refsOf(mutation: EntityProviderMutation) {
  const name = (e: {
    kind: string;
    metadata: { namespace?: string; name: string };
  }) =>
    `${e.kind.toLocaleLowerCase('en-US')}:${e.metadata.namespace}/${
      e.metadata.name
    }`;
  if (mutation.type === 'full') {
    return { full: mutation.entities.map(d => name(d.entity)).sort() };
  }
  return {
    added: mutation.added.map(d => name(d.entity)).sort(),
    removed: mutation.removed
      .map(r => ('entityRef' in r ? r.entityRef : name(r.entity)))
      .sort(),
  };
}

describe('IngestionEntityProvider', () => {
  let source: FakeSource;
  let provider: IngestionEntityProvider;
  let mutations: EntityProviderMutation[];

  beforeEach(async () => {
    source = new FakeSource();
    mutations = [];
    provider = new IngestionEntityProvider({
      source,
      logger: mockServices.logger.mock(),
      clock: () => source.clock,
    });
    const connection: EntityProviderConnection = {
      applyMutation: async mutation => {
        mutations.push(mutation);
      },
      refresh: async () => {},
    };
    await provider.connect(connection);
  });

  it('applies everything as one full mutation, reading all pages', async () => {
    source.putPipeline(pipeline('a', { name: 'alpha' }));
    source.putPipeline(pipeline('b', { name: 'beta' }));
    source.putPipeline(pipeline('c', { name: 'gamma' }));
    source.putTable(
      table('t1', {
        pipelineId: 'a',
        identifier: 'finance_catalog.analytics.table_a',
      }),
    );
    await provider.refresh();
    expect(mutations).toHaveLength(1);
    expect(refsOf(mutations[0])).toEqual({
      full: [
        'component:finance/alpha',
        'component:finance/beta',
        'component:finance/gamma',
        'resource:finance/finance_catalog.analytics.table_a',
        'resource:finance/finance_catalog.analytics.table_b',
        'resource:finance/finance_catalog.analytics.table_c',
        'resource:finance/mysql-table.finance-db.transactions',
        'system:finance/finance-data-platform',
      ],
    });
    const full = mutations[0] as Extract<
      EntityProviderMutation,
      { type: 'full' }
    >;
    expect(new Set(full.entities.map(e => e.locationKey))).toEqual(
      new Set(['ingestion-provider:finance']),
    );
  });

  it('logs at info only when the catalog changes; routine polls and refreshes log at debug', async () => {
    const logger = mockServices.logger.mock();
    provider = new IngestionEntityProvider({
      source,
      logger,
      clock: () => source.clock,
    });
    await provider.connect({
      applyMutation: async () => {},
      refresh: async () => {},
    });
    source.putPipeline(pipeline('a', { name: 'alpha' }));
    await provider.refresh();
    expect(logger.info).toHaveBeenCalledTimes(1);
    expect(logger.info).toHaveBeenLastCalledWith(
      expect.stringMatching(
        /^Ingestion catalog: full refresh with \d+ entities \(/,
      ),
    );

    // Nothing changed: a second full refresh and a few change polls say so at debug only.
    logger.info.mockClear();
    await provider.refresh();
    for (let i = 0; i < 3; i++) {
      source.clock += 1000;
      await provider.applyChanges();
    }
    expect(logger.info).not.toHaveBeenCalled();
    expect(logger.debug).toHaveBeenCalledWith(
      expect.stringContaining('none changed'),
    );
    expect(logger.debug).toHaveBeenCalledWith('Ingestion catalog: no changes');

    // A change: the poll that applies it says so at info.
    source.clock += 1000;
    source.putPipeline(pipeline('b', { name: 'beta' }));
    await provider.applyChanges();
    expect(logger.info).toHaveBeenCalledTimes(1);
    expect(logger.info).toHaveBeenCalledWith(
      expect.stringMatching(
        /^Ingestion catalog: delta with [1-9]\d* added or changed/,
      ),
    );
  });

  it('follows organizations created, changed and retired at run time on its change poll', async () => {
    const tenants = new TenantDirectory([]);
    provider = new IngestionEntityProvider({
      source,
      logger: mockServices.logger.mock(),
      clock: () => source.clock,
      tenants,
    });
    await provider.connect({
      applyMutation: async mutation => {
        mutations.push(mutation);
      },
      refresh: async () => {},
    });
    await provider.refresh();
    expect(tenants.get('finance')?.namespace).toBe('finance');
    mutations.length = 0;

    // Created: its System appears, and the processor's directory knows its groups.
    source.organizationsList = [
      organization('finance'),
      organization('marketing', {
        roles: { admin: ['group:default/marketing-admins'] },
      }),
    ];
    await provider.applyChanges();
    expect(mutations.map(refsOf)).toEqual([
      {
        full: [
          'system:finance/finance-data-platform',
          'system:marketing/marketing-data-platform',
        ],
      },
    ]);
    expect(tenants.ofConfiguredGroup('group:default/marketing-admins')).toBe(
      'marketing',
    );

    // Changed (same ids, new settings): read again.
    source.organizationsList = [
      organization('finance'),
      organization('marketing', {
        name: 'Marketing & Web',
        roles: { admin: ['group:default/marketing-admins'] },
      }),
    ];
    await provider.applyChanges();
    const changed = mutations[1] as Extract<
      EntityProviderMutation,
      { type: 'full' }
    >;
    expect(
      changed.entities.find(
        e => e.entity.metadata.name === 'marketing-data-platform',
      )?.entity.metadata.title,
    ).toMatch(/Marketing & Web/);

    // Retired: its entities go, its namespace stays reserved.
    source.organizationsList = [
      organization('finance'),
      organization('marketing', { retired: true }),
    ];
    await provider.applyChanges();
    expect(refsOf(mutations[2])).toEqual({
      full: ['system:finance/finance-data-platform'],
    });
    expect(tenants.ofNamespace('marketing')?.id).toBe('marketing');

    // Nothing changed: nothing sent.
    source.clock += 60_000;
    await provider.applyChanges();
    expect(mutations).toHaveLength(3);
  });

  it('starts with a full refresh when asked for changes first', async () => {
    source.putPipeline(pipeline('a'));
    await provider.applyChanges();
    expect(mutations.map(m => m.type)).toEqual(['full']);
  });

  it('sends nothing when nothing changed, and only what changed otherwise', async () => {
    source.putPipeline(pipeline('a', { name: 'alpha' }));
    source.putPipeline(pipeline('b', { name: 'beta' }));
    await provider.refresh();
    source.clock += 60_000;
    await provider.applyChanges();
    expect(mutations).toHaveLength(1);

    // a's source changes: its component, the new source; the old one is still read by b
    source.putPipeline(
      pipeline('a', {
        name: 'alpha',
        currentVersion: 2,
        source: { type: 'postgres', connection: 'ledger', table: 'entries' },
      }),
    );
    await provider.applyChanges();
    expect(refsOf(mutations[1])).toEqual({
      added: [
        'component:finance/alpha',
        'resource:finance/postgres-table.ledger.entries',
      ],
      removed: [],
    });

    // b now reads the ledger too: the MySQL source has no reader left
    source.putPipeline(
      pipeline('b', {
        name: 'beta',
        currentVersion: 2,
        source: { type: 'postgres', connection: 'ledger', table: 'entries' },
      }),
    );
    await provider.applyChanges();
    expect(refsOf(mutations[2])).toEqual({
      added: ['component:finance/beta'],
      removed: ['resource:finance/mysql-table.finance-db.transactions'],
    });
  });

  it('removes a deleted pipeline with the datasets only it named', async () => {
    source.putPipeline(pipeline('a', { name: 'alpha' }));
    source.putPipeline(
      pipeline('b', {
        name: 'beta',
        source: { type: 'kafka', bootstrap_servers: 'k:9092', topic: 'clicks' },
      }),
    );
    await provider.refresh();
    source.pipelinesById.delete('b');
    await provider.applyChanges();
    expect(refsOf(mutations[1])).toEqual({
      added: [],
      removed: [
        'component:finance/beta',
        'resource:finance/finance_catalog.analytics.table_b',
        'resource:finance/kafka-topic.clicks',
      ],
    });
  });

  it('renames an entity when its pipeline is renamed, and updates what depends on it', async () => {
    source.putPipeline(pipeline('a', { name: 'alpha' }));
    source.putTable(
      table('t1', {
        pipelineId: 'a',
        identifier: 'finance_catalog.analytics.table_a',
      }),
    );
    await provider.refresh();
    source.putPipeline(pipeline('a', { name: 'alpha-2' }));
    await provider.applyChanges();
    expect(refsOf(mutations[1])).toEqual({
      added: [
        'component:finance/alpha-2',
        'resource:finance/finance_catalog.analytics.table_a',
      ],
      removed: ['component:finance/alpha'],
    });
    const delta = mutations[1] as Extract<
      EntityProviderMutation,
      { type: 'delta' }
    >;
    const tableEntity = delta.added.find(d => d.entity.kind === 'Resource')!;
    expect(tableEntity.entity.spec?.dependsOn).toEqual([
      'component:finance/alpha-2',
    ]);
  });

  it('follows a table write and a new table', async () => {
    source.putPipeline(pipeline('a', { name: 'alpha' }));
    await provider.refresh();
    source.putTable(
      table('t1', {
        pipelineId: 'a',
        identifier: 'finance_catalog.analytics.table_a',
        piiColumns: ['email'],
      }),
    );
    await provider.applyChanges();
    expect(refsOf(mutations[1])).toEqual({
      added: ['resource:finance/finance_catalog.analytics.table_a'],
      removed: [],
    });
    const delta = mutations[1] as Extract<
      EntityProviderMutation,
      { type: 'delta' }
    >;
    expect(delta.added[0].entity.metadata.tags).toContain('pii');
  });

  it('reads everything again when the organizations change or changes are truncated', async () => {
    await provider.refresh();
    source.organizationsList.push(organization('retail'));
    await provider.applyChanges();
    expect(mutations.map(m => m.type)).toEqual(['full', 'full']);
    const truncated = jest
      .spyOn(source, 'changes')
      .mockImplementation(async () => ({
        pipelines: [],
        tables: [],
        counts: {},
        until: '0',
        truncated: true,
      }));
    await provider.applyChanges();
    expect(mutations.map(m => m.type)).toEqual(['full', 'full', 'full']);
    truncated.mockRestore();
  });

  it('schedules through the scheduler in connect, without reading', async () => {
    const scheduler = mockServices.scheduler.mock();
    const scheduled = new IngestionEntityProvider({
      source,
      logger: mockServices.logger.mock(),
      scheduler,
      schedule: {
        full: { frequency: { minutes: 30 }, timeout: { minutes: 10 } },
        changes: { frequency: { seconds: 2 }, timeout: { minutes: 1 } },
      },
    });
    const organizations = jest.spyOn(source, 'organizations');
    await scheduled.connect({
      applyMutation: jest.fn(),
      refresh: jest.fn(),
    });
    expect(scheduler.scheduleTask).toHaveBeenCalledTimes(2);
    expect(scheduler.scheduleTask.mock.calls.map(([task]) => task.id)).toEqual([
      'ingestion:refresh',
      'ingestion:changes',
    ]);
    expect(organizations).not.toHaveBeenCalled();
    expect(scheduled.getProviderName()).toBe('ingestion');
  });
});
