import dagre from '@dagrejs/dagre';

/** A node as the layout sees it: its id and the size `buildFlow` reserved for it. */
export interface LayoutBox {
  id: string;
  width: number;
  height: number;
}

/** An edge as the layout sees it. */
export interface LayoutLink {
  source: string;
  target: string;
}

/** A node's top-left corner, as React Flow places it. */
export interface LayoutPosition {
  x: number;
  y: number;
}

/**
 * Positions for the nodes, left to right in data-flow order (dagre's layered layout), from the
 * sizes `buildFlow` reserved: React Flow draws each node with its top-left corner at its position.
 * Synchronous and CPU-bound (about a second at 500 nodes on a loaded machine): the explorer runs it
 * in a web worker (`layoutWorker.ts`), and here only where no worker can be had.
 */
export function layoutFlow<N extends LayoutBox>(
  nodes: readonly N[],
  edges: readonly LayoutLink[],
): Array<N & { position: LayoutPosition }> {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({
    rankdir: 'LR',
    ranker: 'longest-path',
    nodesep: 24,
    ranksep: 80,
    marginx: 16,
    marginy: 16,
  });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) {
    graph.setNode(node.id, { width: node.width, height: node.height });
  }
  for (const edge of edges) {
    if (graph.hasNode(edge.source) && graph.hasNode(edge.target)) {
      graph.setEdge(edge.source, edge.target);
    }
  }
  dagre.layout(graph);
  return nodes.map(node => {
    const { x, y } = graph.node(node.id);
    return {
      ...node,
      position: { x: x - node.width / 2, y: y - node.height / 2 },
    };
  });
}
