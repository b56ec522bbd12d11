import {
  answerLayoutRequest,
  serveLayouts,
  type LayoutRequest,
  type LayoutResponse,
  type LayoutWorkerScope,
} from './layoutWorker';

const request: LayoutRequest = {
  type: 'layout',
  id: 7,
  nodes: [
    { id: 'a', width: 100, height: 40 },
    { id: 'p', width: 100, height: 40 },
    { id: 'b', width: 100, height: 80 },
  ],
  edges: [
    { source: 'a', target: 'p' },
    { source: 'p', target: 'b' },
    // An edge to a node the request does not have is left out, not an error.
    { source: 'b', target: 'missing' },
  ],
};

/** A worker's `self` as far as the protocol goes: what it posts is recorded. */
function fakeScope() {
  const posted: LayoutResponse[] = [];
  const scope: LayoutWorkerScope = {
    onmessage: null,
    postMessage: message => posted.push(message),
  };
  const send = (data: unknown) =>
    scope.onmessage?.({ data } as MessageEvent<LayoutRequest>);
  return { scope, posted, send };
}

describe('the lineage layout worker protocol', () => {
  it('answers a request with every node’s position under its id, left to right', () => {
    const response = answerLayoutRequest(request);
    if (response.type !== 'layout') throw new Error(JSON.stringify(response));
    expect(response.id).toBe(7);
    const positions = new Map(response.positions);
    expect([...positions.keys()]).toEqual(['a', 'p', 'b']);
    expect(positions.get('a')!.x).toBeLessThan(positions.get('p')!.x);
    expect(positions.get('p')!.x).toBeLessThan(positions.get('b')!.x);
    // Answers are plain data, as postMessage clones them.
    expect(structuredClone(response)).toEqual(response);
  });

  it('answers a layout that throws with its message, under the request’s id', () => {
    const broken = {
      ...request,
      id: 8,
      nodes: null,
    } as unknown as LayoutRequest;
    const response = answerLayoutRequest(broken);
    expect(response).toEqual({
      type: 'error',
      id: 8,
      message: expect.any(String),
    });
  });

  it('says it is ready, then answers each request posted to it and ignores other messages', () => {
    const { scope, posted, send } = fakeScope();
    serveLayouts(scope);
    expect(posted).toEqual([{ type: 'ready' }]);
    send({ type: 'something else' });
    send(undefined);
    expect(posted).toHaveLength(1);
    send(request);
    send({ ...request, id: 9 });
    expect(posted.slice(1).map(p => [p.type, 'id' in p && p.id])).toEqual([
      ['layout', 7],
      ['layout', 9],
    ]);
    expect(posted[1]).toEqual(answerLayoutRequest(request));
  });
});
