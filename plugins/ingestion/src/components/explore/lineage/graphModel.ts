import type {
  ColumnEdge,
  HiddenNeighbours,
  LineageGraphResponse,
  LineageNode,
} from '../../../api/ExploreApi';

/** A column of a dataset node: `node` is the lineage node id. */
export interface ColumnRef {
  node: string;
  column: string;
}

const columnKey = (c: ColumnRef) => `${c.node}\u0000${c.column}`;
const edgeKey = (from: string, to: string) => `${from}→${to}`;
const pipelineNodeId = (pipelineId: string) => `pipeline:${pipelineId}`;
export const hiddenNodeId = (h: Pick<HiddenNeighbours, 'node' | 'direction'>) =>
  `hidden:${h.direction}:${h.node}`;

/**
 * One graph from the start graph and the answers of later expansions: nodes by id (nearest depth
 * wins), edges and column edges once each, and hidden counts by node and direction (the largest
 * count seen, as each answer counts all of a node's hidden neighbours).
 */
export function mergeGraphs(
  base: LineageGraphResponse,
  added: LineageGraphResponse,
): LineageGraphResponse {
  const nodes = new Map(base.nodes.map(n => [n.id, n]));
  for (const node of added.nodes) {
    const existing = nodes.get(node.id);
    nodes.set(
      node.id,
      existing
        ? { ...node, ...existing, depth: Math.min(existing.depth, node.depth) }
        : node,
    );
  }
  const edges = new Map(
    [...base.edges, ...added.edges].map(e => [edgeKey(e.from, e.to), e]),
  );
  const columnEdges = new Map(
    [...(base.columnEdges ?? []), ...(added.columnEdges ?? [])].map(e => [
      `${columnKey(e.from)}→${columnKey(e.to)}→${e.pipelineId}`,
      e,
    ]),
  );
  const hidden = new Map<string, HiddenNeighbours>();
  for (const h of [...(base.hidden ?? []), ...(added.hidden ?? [])]) {
    const key = hiddenNodeId(h);
    const existing = hidden.get(key);
    if (!existing || existing.count < h.count) hidden.set(key, h);
  }
  return {
    root: base.root,
    nodes: [...nodes.values()],
    edges: [...edges.values()],
    columnEdges: [...columnEdges.values()],
    truncated: base.truncated || added.truncated,
    hidden: [...hidden.values()],
  };
}

/** The columns of each dataset node that column lineage mentions, in order of appearance. */
export function columnsByNode(
  columnEdges: ColumnEdge[] = [],
): Map<string, string[]> {
  const result = new Map<string, string[]>();
  const add = (c: ColumnRef) => {
    const list = result.get(c.node) ?? [];
    if (!list.includes(c.column)) list.push(c.column);
    result.set(c.node, list);
  };
  for (const edge of columnEdges) {
    add(edge.from);
    add(edge.to);
  }
  return result;
}

/** What a selected column's path through the graph touches. */
export interface ColumnPath {
  /** `node\0column` keys of the columns on the path (the selected one included). */
  columns: Set<string>;
  /** Dataset and pipeline node ids on the path. */
  nodes: Set<string>;
  /** Table-level edge keys (`from→to`) on the path. */
  edges: Set<string>;
  /** The transformations along the path, in walk order. */
  steps: ColumnEdge[];
}

export const isColumnOnPath = (path: ColumnPath, c: ColumnRef) =>
  path.columns.has(columnKey(c));

/**
 * The path of one column through the graph: every column it comes from (upstream) and every
 * column made from it (downstream), breadth first, with the pipelines that transform it.
 */
export function columnPath(
  columnEdges: ColumnEdge[] = [],
  start: ColumnRef,
): ColumnPath {
  const path: ColumnPath = {
    columns: new Set([columnKey(start)]),
    nodes: new Set([start.node]),
    edges: new Set(),
    steps: [],
  };
  const taken = new Set<ColumnEdge>();
  for (const upstream of [true, false]) {
    const queue = [start];
    const seen = new Set([columnKey(start)]);
    while (queue.length > 0) {
      const current = queue.shift()!;
      for (const edge of columnEdges) {
        const [near, far] = upstream
          ? [edge.to, edge.from]
          : [edge.from, edge.to];
        if (columnKey(near) !== columnKey(current)) continue;
        if (!taken.has(edge)) {
          taken.add(edge);
          path.steps.push(edge);
          const pipeline = pipelineNodeId(edge.pipelineId);
          path.nodes.add(pipeline);
          path.nodes.add(edge.from.node);
          path.nodes.add(edge.to.node);
          path.edges.add(edgeKey(edge.from.node, pipeline));
          path.edges.add(edgeKey(pipeline, edge.to.node));
          path.columns.add(columnKey(edge.from));
          path.columns.add(columnKey(edge.to));
        }
        if (!seen.has(columnKey(far))) {
          seen.add(columnKey(far));
          queue.push(far);
        }
      }
    }
  }
  return path;
}

export type LineageNodeType = 'pipeline' | 'dataset' | 'hidden';

export interface PipelineNodeData extends Record<string, unknown> {
  node: LineageNode;
  root: boolean;
  onPath: boolean;
  dimmed: boolean;
}

export interface DatasetNodeData extends Record<string, unknown> {
  node: LineageNode;
  root: boolean;
  columns: string[];
  selectedColumn?: string;
  /** Columns of this node on the selected column's path. */
  pathColumns: string[];
  onPath: boolean;
  dimmed: boolean;
}

export interface HiddenNodeData extends Record<string, unknown> {
  count: number;
  direction: 'upstream' | 'downstream';
}

export interface FlowNode {
  id: string;
  type: LineageNodeType;
  data: PipelineNodeData | DatasetNodeData | HiddenNodeData;
  ariaLabel: string;
  position: { x: number; y: number };
  width: number;
  height: number;
}

export interface FlowEdge {
  id: string;
  source: string;
  target: string;
  animated: boolean;
  /** On the selected column's path. */
  highlighted: boolean;
  hidden?: boolean;
  ariaLabel: string;
}

/** Node sizes the layout reserves (the node components draw to them). */
export const NODE_WIDTH = 240;
export const PIPELINE_HEIGHT = 64;
export const DATASET_BASE_HEIGHT = 64;
export const COLUMN_HEIGHT = 24;
/** Columns listed inside a dataset node before "+ n more". */
export const MAX_COLUMNS_SHOWN = 12;
export const HIDDEN_WIDTH = 140;
export const HIDDEN_HEIGHT = 40;

const describe = (node: LineageNode) =>
  node.kind === 'pipeline'
    ? `Pipeline ${node.name}${
        node.lastRun ? `, last run ${node.lastRun.status}` : ', never run'
      }`
    : `Dataset ${node.name} (${node.kind})`;

/**
 * React Flow's nodes and edges for a lineage graph (positions left at 0 for the layout): pipelines
 * and datasets as their own node types, a counted stub per hidden neighbourhood, and with a
 * selected column its path highlighted and the rest dimmed.
 */
export function buildFlow(
  graph: LineageGraphResponse,
  selection?: ColumnRef,
): { nodes: FlowNode[]; edges: FlowEdge[]; path?: ColumnPath } {
  const columns = columnsByNode(graph.columnEdges);
  const path = selection ? columnPath(graph.columnEdges, selection) : undefined;
  const nodes: FlowNode[] = graph.nodes.map(node => {
    const onPath = path?.nodes.has(node.id) ?? false;
    const dimmed = path !== undefined && !onPath;
    if (node.kind === 'pipeline') {
      return {
        id: node.id,
        type: 'pipeline',
        data: { node, root: node.id === graph.root, onPath, dimmed },
        ariaLabel: describe(node),
        position: { x: 0, y: 0 },
        width: NODE_WIDTH,
        height: PIPELINE_HEIGHT,
      };
    }
    const nodeColumns = columns.get(node.id) ?? [];
    const pathColumns = path
      ? nodeColumns.filter(column =>
          isColumnOnPath(path, { node: node.id, column }),
        )
      : [];
    const shown = Math.min(nodeColumns.length, MAX_COLUMNS_SHOWN);
    return {
      id: node.id,
      type: 'dataset',
      data: {
        node,
        root: node.id === graph.root,
        columns: nodeColumns,
        selectedColumn:
          selection?.node === node.id ? selection.column : undefined,
        pathColumns,
        onPath,
        dimmed,
      },
      ariaLabel: describe(node),
      position: { x: 0, y: 0 },
      width: NODE_WIDTH,
      height:
        DATASET_BASE_HEIGHT +
        COLUMN_HEIGHT *
          (shown + (nodeColumns.length > MAX_COLUMNS_SHOWN ? 1 : 0)),
    };
  });
  const edges: FlowEdge[] = graph.edges.map(edge => {
    const key = edgeKey(edge.from, edge.to);
    const highlighted = path?.edges.has(key) ?? false;
    return {
      id: key,
      source: edge.from,
      target: edge.to,
      animated: highlighted,
      highlighted,
      ariaLabel: `${edge.from} feeds ${edge.to}`,
    };
  });
  const known = new Set(graph.nodes.map(n => n.id));
  for (const hidden of graph.hidden ?? []) {
    if (!known.has(hidden.node)) continue;
    const id = hiddenNodeId(hidden);
    nodes.push({
      id,
      type: 'hidden',
      data: { count: hidden.count, direction: hidden.direction },
      ariaLabel: `${hidden.count} hidden ${
        hidden.count === 1 ? 'pipeline' : 'pipelines'
      } ${hidden.direction}`,
      position: { x: 0, y: 0 },
      width: HIDDEN_WIDTH,
      height: HIDDEN_HEIGHT,
    });
    const [source, target] =
      hidden.direction === 'upstream' ? [id, hidden.node] : [hidden.node, id];
    edges.push({
      id: edgeKey(source, target),
      source,
      target,
      animated: false,
      highlighted: false,
      ariaLabel: `${hidden.count} hidden ${hidden.direction}`,
    });
  }
  return { nodes, edges, path };
}
