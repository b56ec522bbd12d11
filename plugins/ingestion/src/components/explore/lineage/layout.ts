import dagre from '@dagrejs/dagre';
import type { FlowEdge, FlowNode } from './graphModel';

/**
 * Positions for the nodes, left to right in data-flow order (dagre's layered layout), from the
 * sizes `buildFlow` reserved: React Flow draws each node with its top-left corner at its position.
 */
export function layoutFlow(nodes: FlowNode[], edges: FlowEdge[]): FlowNode[] {
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
