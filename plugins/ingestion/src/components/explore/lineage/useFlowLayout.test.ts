import { act, renderHook } from '@testing-library/react';
import type { FlowEdge, FlowNode } from './graphModel';
import type { LayoutClient, LayoutResult } from './layoutClient';
import { useFlowLayout } from './useFlowLayout';

const node = (id: string, height = 64): FlowNode =>
  ({
    id,
    type: 'dataset',
    data: {} as FlowNode['data'],
    ariaLabel: id,
    position: { x: 0, y: 0 },
    width: 240,
    height,
  } as FlowNode);
const edge = (
  source: string,
  target: string,
  highlighted = false,
): FlowEdge => ({
  id: `${source}->${target}`,
  source,
  target,
  animated: false,
  highlighted,
  ariaLabel: '',
});

/** A client whose layouts finish when the test says so. */
function stubClient() {
  const layouts: Array<{
    nodes: readonly { id: string }[];
    done(result: LayoutResult): void;
    cancel: jest.Mock;
  }> = [];
  const client = {
    layout: jest.fn((nodes, _edges, done) => {
      const cancel = jest.fn();
      layouts.push({ nodes, done, cancel });
      return cancel;
    }),
    dispose: jest.fn(),
  };
  return { client: client as unknown as LayoutClient, layouts, stub: client };
}

describe('useFlowLayout', () => {
  it('lays out on a shape change only, keeping the last positions while a new layout runs', () => {
    const { client, layouts, stub } = stubClient();
    const first = { nodes: [node('a'), node('b')], edges: [edge('a', 'b')] };
    const { result, rerender, unmount } = renderHook(
      props => useFlowLayout(props.nodes, props.edges, () => client),
      { initialProps: first },
    );
    expect(result.current).toEqual({
      positions: undefined,
      laying: true,
      error: undefined,
    });
    const positions = new Map([
      ['a', { x: 0, y: 0 }],
      ['b', { x: 300, y: 0 }],
    ]);
    act(() => layouts[0].done({ positions }));
    expect(result.current).toEqual({
      positions,
      laying: false,
      error: undefined,
    });

    // A column selection rebuilds nodes and edges of the same shape: no new layout.
    rerender({
      nodes: [node('a'), node('b')],
      edges: [edge('a', 'b', true)],
    });
    expect(stub.layout).toHaveBeenCalledTimes(1);
    expect(result.current.laying).toBe(false);

    // An expansion adds a node: a new layout, the old positions meanwhile.
    rerender({
      nodes: [node('a'), node('b'), node('c')],
      edges: [edge('a', 'b'), edge('b', 'c')],
    });
    expect(stub.layout).toHaveBeenCalledTimes(2);
    expect(layouts[1].nodes.map(n => n.id)).toEqual(['a', 'b', 'c']);
    expect(result.current).toEqual({
      positions,
      laying: true,
      error: undefined,
    });

    // Another change before it finished cancels it.
    rerender({
      nodes: [node('a'), node('b'), node('c', 88)],
      edges: [edge('a', 'b'), edge('b', 'c')],
    });
    expect(layouts[1].cancel).toHaveBeenCalled();
    act(() => layouts[2].done({ error: new Error('no layout') }));
    expect(result.current.error).toEqual(new Error('no layout'));
    expect(result.current.laying).toBe(false);

    unmount();
    expect(stub.dispose).toHaveBeenCalled();
  });
});
