import { mockServices } from '@backstage/backend-test-utils';
import type { EntityProviderMutation } from '@backstage/plugin-catalog-node';
import type { CatalogChanges } from '@ingestion-for-backstage/plugin-ingestion-common';
import { FakeSource } from '../__testUtils__/FakeSource';
import { pipeline } from '../__testUtils__/fixtures';
import { IngestionEntityProvider } from './IngestionEntityProvider';

const namesOf = (mutation: EntityProviderMutation) =>
  (mutation.type === 'full' ? mutation.entities : mutation.added).map(
    d => d.entity.metadata.name,
  );

describe('IngestionEntityProvider change polls with a wait (long poll)', () => {
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
      changesWaitSeconds: 2,
    });
    await provider.connect({
      applyMutation: async mutation => {
        mutations.push(mutation);
      },
      refresh: async () => {},
    });
  });

  it('asks with the wait and the abort signal, and applies the answer', async () => {
    source.putPipeline(pipeline('a', { name: 'alpha' }));
    await provider.applyChanges(); // the first read is a full refresh, at once
    const changes = jest.spyOn(source, 'changes');
    source.putPipeline(pipeline('b', { name: 'beta' }));
    const stop = new AbortController();
    const stats = await provider.applyChanges(stop.signal);
    expect(changes).toHaveBeenCalledTimes(1);
    expect(changes.mock.calls[0][1]).toEqual({ wait: 2, signal: stop.signal });
    expect(stats.type).toBe('delta');
    expect(mutations.map(m => m.type)).toEqual(['full', 'delta']);
    expect(namesOf(mutations[1])).toContain('beta');
  });

  it('reads again, rather than apply, an answer that a full refresh overtook while it waited', async () => {
    source.putPipeline(pipeline('a', { name: 'alpha' }));
    await provider.refresh();
    // The answer is taken now (alpha), then held as a waiting poll would be.
    const stale = await source.changes(0);
    let answer!: (changes: CatalogChanges) => void;
    const changes = jest
      .spyOn(source, 'changes')
      .mockImplementationOnce(
        () => new Promise<CatalogChanges>(resolve => (answer = resolve)),
      );
    const polled = provider.applyChanges();
    await new Promise(resolve => setImmediate(resolve));
    // Meanwhile the pipeline is renamed and a full refresh shows it.
    source.putPipeline(pipeline('a', { name: 'alpha-2' }));
    await provider.refresh();
    answer(stale);
    await polled;
    expect(changes).toHaveBeenCalledTimes(2);
    // Nothing after the second full refresh brings the old name back.
    expect(mutations.map(m => m.type)).toEqual(['full', 'full']);
    expect(namesOf(mutations[1])).toContain('alpha-2');
    expect(namesOf(mutations[1])).not.toContain('alpha');
  });

  it('counts a poll cut short by shutdown as no failure in its scheduled task', async () => {
    const scheduler = mockServices.scheduler.mock();
    const scheduled = new IngestionEntityProvider({
      source,
      logger: mockServices.logger.mock(),
      scheduler,
      schedule: {
        full: { frequency: { minutes: 30 }, timeout: { minutes: 10 } },
        changes: { frequency: { seconds: 1 }, timeout: { minutes: 1 } },
      },
      changesWaitSeconds: 20,
    });
    await scheduled.connect({
      applyMutation: async () => {},
      refresh: async () => {},
    });
    const task = scheduler.scheduleTask.mock.calls[1][0];
    await scheduled.refresh();
    jest.spyOn(source, 'changes').mockImplementation((_since, options) => {
      return new Promise((_resolve, reject) =>
        options?.signal?.addEventListener('abort', () =>
          reject(new Error('The operation was aborted')),
        ),
      );
    });
    const stop = new AbortController();
    const run = task.fn(stop.signal);
    stop.abort();
    await expect(run).resolves.toBeUndefined();

    // Without a shutdown, a failing poll still fails its task.
    jest.spyOn(source, 'changes').mockRejectedValue(new Error('503'));
    await expect(task.fn(new AbortController().signal)).rejects.toThrow('503');
  });
});
