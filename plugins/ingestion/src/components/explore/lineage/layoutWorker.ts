import {
  layoutFlow,
  type LayoutBox,
  type LayoutLink,
  type LayoutPosition,
} from './layout';

/**
 * The lineage layout's worker protocol. The page posts a request with only what dagre needs (ids,
 * sizes, edges) and gets back each node's position under the request's id; a request whose
 * layout threw gets its message instead. The worker posts `{ type: 'ready' }` once it listens, so
 * the page can tell a worker that loaded from one that never will.
 */
export interface LayoutRequest {
  type: 'layout';
  id: number;
  nodes: LayoutBox[];
  edges: LayoutLink[];
}

export type LayoutResponse =
  | { type: 'ready' }
  | { type: 'layout'; id: number; positions: Array<[string, LayoutPosition]> }
  | { type: 'error'; id: number; message: string };

/** What the worker answers to one request; the main-thread fallback calls it directly. */
export function answerLayoutRequest(request: LayoutRequest): LayoutResponse {
  try {
    const laidOut = layoutFlow(request.nodes, request.edges);
    return {
      type: 'layout',
      id: request.id,
      positions: laidOut.map(n => [n.id, n.position]),
    };
  } catch (error) {
    return {
      type: 'error',
      id: request.id,
      message: error instanceof Error ? error.message : String(error),
    };
  }
}

/** The part of a worker's global scope the protocol uses. */
export interface LayoutWorkerScope {
  onmessage: ((event: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(message: LayoutResponse): void;
}

/** Answers layout requests posted to `scope` (a dedicated worker's `self`) and says it is ready. */
export function serveLayouts(scope: LayoutWorkerScope) {
  scope.onmessage = event => {
    if (event.data?.type === 'layout') {
      scope.postMessage(answerLayoutRequest(event.data));
    }
  };
  scope.postMessage({ type: 'ready' });
}

declare const WorkerGlobalScope: Function | undefined;

// Loaded as a worker (the published package's `layoutWorker.esm.js`, see `layoutWorker.esm.ts`),
// this module serves at once; imported on the page, it only lends `answerLayoutRequest`.
if (
  typeof WorkerGlobalScope !== 'undefined' &&
  typeof self !== 'undefined' &&
  self instanceof WorkerGlobalScope
) {
  serveLayouts(self as unknown as LayoutWorkerScope);
}
