import type { LayoutBox, LayoutLink, LayoutPosition } from './layout';
import {
  answerLayoutRequest,
  type LayoutRequest,
  type LayoutResponse,
} from './layoutWorker';

/** A finished layout: each node's position, or why there is none. */
export type LayoutResult =
  | { positions: Map<string, LayoutPosition> }
  | { error: Error };

/** The part of a `Worker` the client uses (tests hand in fakes). */
export interface LayoutWorkerHandle {
  onmessage: ((event: MessageEvent<LayoutResponse>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  postMessage(message: LayoutRequest): void;
  terminate(): void;
}

/**
 * The lineage layout worker, or undefined where workers are not available (jest, server-side
 * rendering, a content security policy that forbids them). The `new Worker(new URL(…,
 * import.meta.url))` form is what the app's bundler recognises to bundle the worker with dagre;
 * see `layoutWorker.esm.ts` for the name.
 */
export function createLayoutWorker(): LayoutWorkerHandle | undefined {
  if (typeof Worker === 'undefined') return undefined;
  try {
    return new Worker(new URL('./layoutWorker.esm', import.meta.url), {
      name: 'lineage-layout',
    });
  } catch {
    return undefined;
  }
}

const toResult = (response: LayoutResponse): LayoutResult =>
  response.type === 'layout'
    ? { positions: new Map(response.positions) }
    : {
        error: new Error(
          `The lineage layout failed: ${
            'message' in response ? response.message : 'no answer'
          }`,
        ),
      };

interface Pending {
  request: LayoutRequest;
  done(result: LayoutResult): void;
}

/**
 * Lays lineage graphs out off the page's thread, one at a time: a new layout cancels the one
 * before it — a stale layout still running in the worker is stopped by ending the worker (dagre
 * cannot be interrupted), and the next layout starts a fresh one. Where no worker can be created,
 * or one fails to load or to say it is ready in time, layouts run on the page's thread after a
 * macrotask (so a progress state can paint first), and keep doing so.
 */
export class LayoutClient {
  private worker?: LayoutWorkerHandle;
  private ready = false;
  private readyTimer?: ReturnType<typeof setTimeout>;
  private unavailable = false;
  private pending?: Pending;
  private nextId = 1;

  constructor(
    private readonly options: {
      createWorker?: () => LayoutWorkerHandle | undefined;
      /** How long a new worker may take to say it is ready before the page lays out itself. */
      readyTimeoutMs?: number;
    } = {},
  ) {}

  /** Whether layouts run in a worker (false once the client fell back to the page's thread). */
  get usesWorker(): boolean {
    return !this.unavailable;
  }

  /** Starts a layout, cancelling any before it; `done` is called once unless cancelled. */
  layout(
    nodes: readonly LayoutBox[],
    edges: readonly LayoutLink[],
    done: (result: LayoutResult) => void,
  ): () => void {
    this.cancelPending();
    const request: LayoutRequest = {
      type: 'layout',
      id: this.nextId++,
      nodes: nodes.map(({ id, width, height }) => ({ id, width, height })),
      edges: edges.map(({ source, target }) => ({ source, target })),
    };
    const pending: Pending = { request, done };
    this.pending = pending;
    const worker = this.unavailable ? undefined : this.ensureWorker();
    if (worker) {
      worker.postMessage(request);
    } else {
      this.runOnPage(pending);
    }
    return () => {
      if (this.pending === pending) this.cancelPending();
    };
  }

  /** Ends the worker; pending layouts are dropped. */
  dispose() {
    this.pending = undefined;
    this.endWorker();
  }

  private ensureWorker(): LayoutWorkerHandle | undefined {
    if (this.worker) return this.worker;
    const worker = (this.options.createWorker ?? createLayoutWorker)();
    if (!worker) {
      this.unavailable = true;
      return undefined;
    }
    this.worker = worker;
    this.ready = false;
    worker.onmessage = event => this.receive(worker, event.data);
    worker.onerror = () => this.workerFailed(worker);
    this.readyTimer = setTimeout(
      () => this.workerFailed(worker),
      this.options.readyTimeoutMs ?? 10_000,
    );
    return worker;
  }

  private receive(worker: LayoutWorkerHandle, response: LayoutResponse) {
    if (worker !== this.worker) return;
    if (response.type === 'ready') {
      this.ready = true;
      clearTimeout(this.readyTimer);
      return;
    }
    const pending = this.pending;
    if (!pending || pending.request.id !== response.id) return;
    this.pending = undefined;
    pending.done(toResult(response));
  }

  /** A worker that failed to load (or never said it was ready): lay out on the page from now on. */
  private workerFailed(worker: LayoutWorkerHandle) {
    if (worker !== this.worker) return;
    const wasReady = this.ready;
    this.endWorker();
    const pending = this.pending;
    if (!wasReady) this.unavailable = true;
    if (!pending) return;
    if (wasReady) {
      this.pending = undefined;
      pending.done({ error: new Error('The lineage layout worker stopped') });
    } else {
      this.runOnPage(pending);
    }
  }

  private runOnPage(pending: Pending) {
    setTimeout(() => {
      if (this.pending !== pending) return;
      this.pending = undefined;
      pending.done(toResult(answerLayoutRequest(pending.request)));
    }, 0);
  }

  private cancelPending() {
    const pending = this.pending;
    this.pending = undefined;
    // A worker busy with the cancelled layout would finish it before the next one: end it.
    if (pending && this.worker && !this.unavailable) this.endWorker();
  }

  private endWorker() {
    clearTimeout(this.readyTimer);
    this.worker?.terminate();
    this.worker = undefined;
    this.ready = false;
  }
}
