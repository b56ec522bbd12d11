import { LayoutClient, type LayoutWorkerHandle } from './layoutClient';
import {
  serveLayouts,
  type LayoutRequest,
  type LayoutResponse,
  type LayoutWorkerScope,
} from './layoutWorker';

const nodes = [
  { id: 'a', width: 100, height: 40 },
  { id: 'b', width: 100, height: 40 },
];
const edges = [{ source: 'a', target: 'b' }];

/**
 * A worker in the test's thread: messages cross as clones, on the next macrotask, like a real
 * worker's. `serve: false` makes one that loads but never answers; `hold` keeps requests until
 * `release()` (a layout still running).
 */
class FakeWorker implements LayoutWorkerHandle {
  static created: FakeWorker[] = [];
  onmessage: ((event: MessageEvent<LayoutResponse>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  received: LayoutRequest[] = [];
  terminated = false;
  hold = false;
  /** Hands the worker's handler a request without nodes, which makes its layout throw. */
  corrupt = false;
  private held: unknown[] = [];
  private readonly scope: LayoutWorkerScope = {
    onmessage: null,
    postMessage: message =>
      setTimeout(() => {
        if (!this.terminated) {
          this.onmessage?.({
            data: structuredClone(message),
          } as MessageEvent<LayoutResponse>);
        }
      }, 0),
  };
  constructor(serve = true) {
    FakeWorker.created.push(this);
    if (serve) setTimeout(() => serveLayouts(this.scope), 0);
  }
  postMessage(message: LayoutRequest) {
    this.received.push(message);
    const data = structuredClone(
      this.corrupt ? { ...message, nodes: null } : message,
    );
    setTimeout(() => {
      if (this.terminated) return;
      if (this.hold) this.held.push(data);
      else this.scope.onmessage?.({ data } as MessageEvent<LayoutRequest>);
    }, 0);
  }
  release() {
    this.hold = false;
    for (const data of this.held.splice(0)) {
      this.scope.onmessage?.({ data } as MessageEvent<LayoutRequest>);
    }
  }
  terminate() {
    this.terminated = true;
  }
  fail() {
    this.onerror?.(new ErrorEvent('error'));
  }
}

const tick = () => new Promise(resolve => setTimeout(resolve, 0));
const settle = async () => {
  for (let i = 0; i < 5; i++) await tick();
};

beforeEach(() => {
  FakeWorker.created = [];
});

describe('LayoutClient', () => {
  it('lays out in the worker, posting only ids, sizes and edges', async () => {
    const client = new LayoutClient({ createWorker: () => new FakeWorker() });
    const done = jest.fn();
    client.layout(
      nodes.map(n => ({ ...n, data: { big: 'payload' } })),
      edges.map(e => ({ ...e, id: 'e1', ariaLabel: 'x' })),
      done,
    );
    await settle();
    const [worker] = FakeWorker.created;
    expect(worker.received).toEqual([{ type: 'layout', id: 1, nodes, edges }]);
    expect(done).toHaveBeenCalledTimes(1);
    const { positions } = done.mock.calls[0][0];
    expect([...positions.keys()]).toEqual(['a', 'b']);
    expect(positions.get('a').x).toBeLessThan(positions.get('b').x);
    expect(client.usesWorker).toBe(true);
    client.dispose();
    expect(worker.terminated).toBe(true);
  });

  it('cancels a stale layout: ends the busy worker and answers only the newest', async () => {
    const client = new LayoutClient({ createWorker: () => new FakeWorker() });
    const first = jest.fn();
    const second = jest.fn();
    client.layout(nodes, edges, first);
    await settle();
    const [busy] = FakeWorker.created;
    busy.hold = true;
    client.layout(nodes, [], jest.fn());
    // A graph change before the worker answered: the busy worker is ended, a new one started.
    client.layout(nodes, edges, second);
    expect(busy.terminated).toBe(true);
    busy.release();
    await settle();
    expect(FakeWorker.created).toHaveLength(2);
    expect(FakeWorker.created[1].received.map(r => r.id)).toEqual([3]);
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(1);
    expect(second.mock.calls[0][0].positions.size).toBe(2);
  });

  it('drops a layout cancelled by its caller', async () => {
    const client = new LayoutClient({ createWorker: () => new FakeWorker() });
    const done = jest.fn();
    const cancel = client.layout(nodes, edges, done);
    cancel();
    await settle();
    expect(done).not.toHaveBeenCalled();
    expect(FakeWorker.created[0].terminated).toBe(true);
  });

  it('lays out on the page where no worker can be created, after a macrotask', async () => {
    const client = new LayoutClient({ createWorker: () => undefined });
    const done = jest.fn();
    client.layout(nodes, edges, done);
    expect(done).not.toHaveBeenCalled();
    await tick();
    expect(done).toHaveBeenCalledTimes(1);
    expect(done.mock.calls[0][0].positions.size).toBe(2);
    expect(client.usesWorker).toBe(false);
  });

  it('uses the page by default where Worker does not exist (jsdom)', async () => {
    expect(typeof Worker).toBe('undefined');
    const client = new LayoutClient();
    const done = jest.fn();
    client.layout(nodes, edges, done);
    await tick();
    expect(done.mock.calls[0][0].positions.size).toBe(2);
    expect(client.usesWorker).toBe(false);
  });

  it('falls back to the page when the worker fails to load, for this and later layouts', async () => {
    const client = new LayoutClient({
      createWorker: () => new FakeWorker(false),
    });
    const done = jest.fn();
    client.layout(nodes, edges, done);
    FakeWorker.created[0].fail();
    await tick();
    expect(done.mock.calls[0][0].positions.size).toBe(2);
    expect(FakeWorker.created[0].terminated).toBe(true);
    const later = jest.fn();
    client.layout(nodes, edges, later);
    await tick();
    expect(later).toHaveBeenCalledTimes(1);
    expect(FakeWorker.created).toHaveLength(1);
  });

  it('falls back to the page when a worker never says it is ready', async () => {
    const client = new LayoutClient({
      createWorker: () => new FakeWorker(false),
      readyTimeoutMs: 5,
    });
    const done = jest.fn();
    client.layout(nodes, edges, done);
    await new Promise(resolve => setTimeout(resolve, 20));
    expect(done).toHaveBeenCalledTimes(1);
    expect(done.mock.calls[0][0].positions.size).toBe(2);
    expect(client.usesWorker).toBe(false);
  });

  it('reports a layout the worker could not do, and a worker that stops after it was ready', async () => {
    // The first worker's handler gets requests without nodes, which makes the layout throw.
    const client = new LayoutClient({
      createWorker: () => {
        const worker = new FakeWorker();
        worker.corrupt = FakeWorker.created.length === 1;
        return worker;
      },
    });
    const broken = jest.fn();
    client.layout(nodes, edges, broken);
    await settle();
    expect(broken).toHaveBeenCalledTimes(1);
    expect(broken.mock.calls[0][0].error.message).toMatch(
      /^The lineage layout failed: /,
    );

    const stopped = jest.fn();
    const [worker] = FakeWorker.created;
    worker.corrupt = false;
    worker.hold = true;
    client.layout(nodes, edges, stopped);
    worker.fail();
    expect(stopped).toHaveBeenCalledWith({
      error: new Error('The lineage layout worker stopped'),
    });
    // A worker that loaded once is worth another try: the next layout starts a new one.
    expect(client.usesWorker).toBe(true);
    const next = jest.fn();
    client.layout(nodes, edges, next);
    await settle();
    expect(FakeWorker.created).toHaveLength(2);
    expect(next.mock.calls[0][0].positions.size).toBe(2);
  });
});
