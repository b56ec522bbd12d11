import {
  Background,
  Controls,
  MarkerType,
  ReactFlow,
  type Edge,
  type Node,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useTheme } from '@material-ui/core/styles';
import { useMemo } from 'react';
import type { ColumnPath, FlowEdge, FlowNode } from './graphModel';
import { layoutFlow } from './layout';
import {
  LineageActionsContext,
  nodeTypes,
  type LineageActions,
} from './LineageNodes';

/**
 * The graph on screen. Layout runs when the graph's shape changes, not on a column selection
 * (sizes do not depend on it); nodes outside the viewport are not rendered.
 */
export function LineageCanvas(props: {
  flow: { nodes: FlowNode[]; edges: FlowEdge[]; path?: ColumnPath };
  actions: LineageActions;
  height: number;
}) {
  const { flow, actions, height } = props;
  const theme = useTheme();
  const shape = useMemo(
    () =>
      `${flow.nodes.map(n => `${n.id}:${n.height}`).join('|')}#${flow.edges
        .map(e => e.id)
        .join('|')}`,
    [flow],
  );
  const positions = useMemo(
    () =>
      new Map(layoutFlow(flow.nodes, flow.edges).map(n => [n.id, n.position])),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [shape],
  );
  const nodes = useMemo<Node[]>(
    () =>
      flow.nodes.map(n => ({
        id: n.id,
        type: n.type,
        data: n.data,
        position: positions.get(n.id) ?? n.position,
        width: n.width,
        height: n.height,
        ariaLabel: n.ariaLabel,
        focusable: true,
        draggable: false,
        connectable: false,
      })),
    [flow, positions],
  );
  const edges = useMemo<Edge[]>(() => {
    const dimmed = flow.path !== undefined;
    return flow.edges.map(e => ({
      id: e.id,
      source: e.source,
      target: e.target,
      animated: e.animated,
      ariaLabel: e.ariaLabel,
      markerEnd: { type: MarkerType.ArrowClosed },
      style: e.highlighted
        ? { stroke: theme.palette.warning.main, strokeWidth: 3 }
        : { opacity: dimmed ? 0.3 : 1 },
      focusable: false,
    }));
  }, [flow, theme]);
  return (
    <LineageActionsContext.Provider value={actions}>
      <div
        style={{ height, width: '100%' }}
        role="region"
        aria-label="Lineage graph"
      >
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          fitView
          minZoom={0.05}
          onlyRenderVisibleElements
          nodesDraggable={false}
          nodesConnectable={false}
          proOptions={{ hideAttribution: true }}
        >
          <Background />
          <Controls showInteractive={false} />
        </ReactFlow>
      </div>
    </LineageActionsContext.Provider>
  );
}
