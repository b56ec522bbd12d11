/**
 * The lineage explorer's cost in the browser without a browser: building React Flow's nodes and
 * edges from a `/v1/lineage/graph` answer (with a selected column's path) and the dagre layout,
 * for a graph of about 500 nodes, and what the page's thread still pays when the layout runs in the
 * explorer's web worker (the request's and the answer's structured clones). Prints the median of
 * the runs in ms.
 *
 *   node --require @backstage/cli-node/config/nodeTransform.cjs bench/lineage-layout.ts [nodes] [runs]
 */
import { performance } from 'node:perf_hooks';
import type { LineageGraphResponse } from '../plugins/ingestion/src/api/ExploreApi';
import { buildFlow } from '../plugins/ingestion/src/components/explore/lineage/graphModel';
import { layoutFlow } from '../plugins/ingestion/src/components/explore/lineage/layout';
import {
  answerLayoutRequest,
  type LayoutRequest,
} from '../plugins/ingestion/src/components/explore/lineage/layoutWorker';

const target = Number(process.argv[2] ?? 500);
const runs = Number(process.argv[3] ?? 21);

/**
 * Layers of datasets joined by pipelines: each pipeline reads two datasets of the layer before and
 * writes one of its own, with five columns flowing through (one renamed), and a hidden stub on
 * every tenth dataset — about `nodes` nodes in all.
 */
function syntheticGraph(nodes: number): LineageGraphResponse {
  const graph: LineageGraphResponse = {
    root: 'dataset:d-0-0',
    nodes: [],
    edges: [],
    columnEdges: [],
    truncated: false,
    hidden: [],
  };
  const width = 10;
  let previous: string[] = [];
  for (let layer = 0; graph.nodes.length < nodes; layer++) {
    const current: string[] = [];
    for (let i = 0; i < width && graph.nodes.length < nodes; i++) {
      const dataset = `dataset:d-${layer}-${i}`;
      graph.nodes.push({
        id: dataset,
        kind: 'iceberg-table',
        name: `cat.ns.d_${layer}_${i}`,
        datasetRef: `iceberg:cat.ns.d_${layer}_${i}`,
        entityRef: `resource:finance/cat.ns.d_${layer}_${i}`,
        depth: layer,
        updatedAt: '2026-11-24T00:00:00Z',
      });
      current.push(dataset);
      if (i % 10 === 0) {
        graph.hidden!.push({
          node: dataset,
          direction: 'downstream',
          count: 2,
        });
      }
      if (previous.length === 0) continue;
      const pipelineId = `p-${layer}-${i}`;
      const pipeline = `pipeline:${pipelineId}`;
      graph.nodes.push({
        id: pipeline,
        kind: 'pipeline',
        name: `pipeline-${layer}-${i}`,
        pipelineId,
        entityRef: `component:finance/pipeline-${layer}-${i}`,
        depth: layer,
        lastRun: { status: 'succeeded', queuedAt: '2026-11-24T00:00:00Z' },
      });
      const inputs = [
        previous[i % previous.length],
        previous[(i + 1) % previous.length],
      ];
      for (const input of inputs)
        graph.edges.push({ from: input, to: pipeline });
      graph.edges.push({ from: pipeline, to: dataset });
      for (let c = 0; c < 5; c++) {
        graph.columnEdges!.push({
          from: { node: inputs[0], column: c === 0 ? 'amount' : `c${c}` },
          to: { node: dataset, column: c === 0 ? 'amount' : `c${c}` },
          pipelineId,
          kind: 'identity',
        });
      }
    }
    previous = current;
  }
  return graph;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function measure(label: string, fn: () => void) {
  fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  console.log(
    `${label.padEnd(34)} median ${median(times).toFixed(1)} ms (min ${Math.min(
      ...times,
    ).toFixed(1)}, max ${Math.max(...times).toFixed(1)}, ${runs} runs)`,
  );
}

const graph = syntheticGraph(target);
const { nodes, edges } = buildFlow(graph);
console.log(
  `lineage graph: ${graph.nodes.length} nodes (${
    nodes.length
  } with hidden stubs), ${edges.length} edges, ${
    graph.columnEdges!.length
  } column edges`,
);
measure('buildFlow', () => buildFlow(graph));
measure('buildFlow + selected column path', () =>
  buildFlow(graph, {
    node: graph.nodes[graph.nodes.length - 1].id,
    column: 'amount',
  }),
);
measure('dagre layout', () => layoutFlow(nodes, edges));
measure('buildFlow + dagre layout', () => {
  const flow = buildFlow(graph);
  layoutFlow(flow.nodes, flow.edges);
});
// With the layout in the worker, the page builds the request and pays the structured clone of the
// request (postMessage) and of the answer; dagre itself runs off the page's thread.
const request: LayoutRequest = {
  type: 'layout',
  id: 1,
  nodes: nodes.map(({ id, width, height }) => ({ id, width, height })),
  edges: edges.map(({ source, target }) => ({ source, target })),
};
const answer = answerLayoutRequest(request);
measure('worker: page-side request + clones', () => {
  const posted = structuredClone({
    ...request,
    nodes: nodes.map(({ id, width, height }) => ({ id, width, height })),
    edges: edges.map(({ source, target }) => ({ source, target })),
  });
  const received = structuredClone(answer);
  if (received.type === 'layout') new Map(received.positions);
  return posted;
});
