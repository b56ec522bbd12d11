import {
  DAILY,
  DAILY_PIPELINE,
  ENRICH_PIPELINE,
  financeGraph,
  MYSQL,
  TOTALS,
} from '../__testUtils__/lineageFixtures';
import {
  buildFlow,
  columnPath,
  columnsByNode,
  hiddenNodeId,
  mergeGraphs,
  type DatasetNodeData,
} from './graphModel';
import { layoutFlow } from './layout';

describe('lineage graph model', () => {
  it('draws pipelines and datasets as their own node types, with counted stubs for hidden neighbours', () => {
    const { nodes, edges } = buildFlow(financeGraph());
    const types = Object.fromEntries(nodes.map(n => [n.id, n.type]));
    expect(types).toEqual({
      [DAILY_PIPELINE]: 'pipeline',
      [ENRICH_PIPELINE]: 'pipeline',
      [MYSQL]: 'dataset',
      [DAILY]: 'dataset',
      [TOTALS]: 'dataset',
      [hiddenNodeId({ node: TOTALS, direction: 'downstream' })]: 'hidden',
    });
    const stub = nodes.find(n => n.type === 'hidden')!;
    expect(stub.data).toEqual({ count: 2, direction: 'downstream' });
    expect(stub.ariaLabel).toBe('2 hidden pipelines downstream');
    expect(edges.map(e => [e.source, e.target])).toContainEqual([
      TOTALS,
      stub.id,
    ]);
    expect(nodes.find(n => n.id === DAILY_PIPELINE)!.ariaLabel).toBe(
      'Pipeline daily-transactions, last run succeeded',
    );
    // Without a selection nothing is highlighted or dimmed.
    expect(edges.some(e => e.highlighted)).toBe(false);
    expect(nodes.some(n => (n.data as DatasetNodeData).dimmed)).toBe(false);
  });

  it('lists each dataset’s columns from the column lineage', () => {
    expect(columnsByNode(financeGraph().columnEdges).get(TOTALS)).toEqual([
      'total',
      'customer_id',
    ]);
  });

  it('follows a column up and down stream through the transforms', () => {
    const path = columnPath(financeGraph().columnEdges, {
      node: DAILY,
      column: 'amount',
    });
    expect([...path.columns].map(c => c.replace('\u0000', '.')).sort()).toEqual(
      [`${DAILY}.amount`, `${MYSQL}.amount`, `${TOTALS}.total`].sort(),
    );
    expect([...path.nodes].sort()).toEqual(
      [MYSQL, DAILY_PIPELINE, DAILY, ENRICH_PIPELINE, TOTALS].sort(),
    );
    expect(path.steps.map(s => s.transformation ?? s.kind)).toEqual([
      'identity',
      'rename',
    ]);
    // customer_id does not lie on amount's path.
    expect(path.columns.has(`${TOTALS}\u0000customer_id`)).toBe(false);
  });

  it('highlights the selected column’s path and dims the rest', () => {
    const graph = financeGraph();
    graph.nodes.push({
      id: 'dataset:file:exports/other',
      kind: 'parquet',
      name: 'exports/other',
      entityRef: 'resource:finance/exports-other',
      depth: 3,
    });
    graph.edges.push({
      from: ENRICH_PIPELINE,
      to: 'dataset:file:exports/other',
    });
    const { nodes, edges } = buildFlow(graph, {
      node: TOTALS,
      column: 'total',
    });
    const totals = nodes.find(n => n.id === TOTALS)!.data as DatasetNodeData;
    expect(totals.selectedColumn).toBe('total');
    expect(totals.pathColumns).toEqual(['total']);
    const mysql = nodes.find(n => n.id === MYSQL)!.data as DatasetNodeData;
    expect(mysql.pathColumns).toEqual(['amount']);
    expect(
      (
        nodes.find(n => n.id === 'dataset:file:exports/other')!
          .data as DatasetNodeData
      ).dimmed,
    ).toBe(true);
    expect(
      edges
        .filter(e => e.highlighted)
        .map(e => e.id)
        .sort(),
    ).toEqual(
      [
        `${MYSQL}→${DAILY_PIPELINE}`,
        `${DAILY_PIPELINE}→${DAILY}`,
        `${DAILY}→${ENRICH_PIPELINE}`,
        `${ENRICH_PIPELINE}→${TOTALS}`,
      ].sort(),
    );
  });

  it('merges an expansion: nodes and edges once, nearest depth, largest hidden count', () => {
    const base = financeGraph();
    const added = {
      root: TOTALS,
      nodes: [
        { ...base.nodes.find(n => n.id === TOTALS)!, depth: 0 },
        {
          id: 'pipeline:p-export',
          kind: 'pipeline',
          name: 'export',
          pipelineId: 'p-export',
          entityRef: 'component:finance/export',
          depth: 1,
        },
      ],
      edges: [
        { from: ENRICH_PIPELINE, to: TOTALS },
        { from: TOTALS, to: 'pipeline:p-export' },
      ],
      columnEdges: [base.columnEdges![2]],
      truncated: false,
      hidden: [{ node: TOTALS, direction: 'downstream' as const, count: 3 }],
    };
    const merged = mergeGraphs(base, added);
    expect(merged.root).toBe(base.root);
    expect(merged.nodes).toHaveLength(6);
    expect(merged.nodes.find(n => n.id === TOTALS)!.depth).toBe(0);
    expect(merged.edges).toHaveLength(5);
    expect(merged.columnEdges).toHaveLength(4);
    expect(merged.hidden).toEqual([
      { node: TOTALS, direction: 'downstream', count: 3 },
    ]);
  });

  it('lays the graph out left to right in data-flow order, without overlaps', () => {
    const { nodes, edges } = buildFlow(financeGraph());
    const laid = layoutFlow(nodes, edges);
    const x = Object.fromEntries(laid.map(n => [n.id, n.position.x]));
    expect(x[MYSQL]).toBeLessThan(x[DAILY_PIPELINE]);
    expect(x[DAILY_PIPELINE]).toBeLessThan(x[DAILY]);
    expect(x[DAILY]).toBeLessThan(x[ENRICH_PIPELINE]);
    expect(x[ENRICH_PIPELINE]).toBeLessThan(x[TOTALS]);
    for (const a of laid) {
      for (const b of laid) {
        if (a === b) continue;
        const apart =
          a.position.x + a.width <= b.position.x ||
          b.position.x + b.width <= a.position.x ||
          a.position.y + a.height <= b.position.y ||
          b.position.y + b.height <= a.position.y;
        expect(apart).toBe(true);
      }
    }
  });
});
