import {
  Background,
  Controls,
  MarkerType,
  ReactFlow,
  type Edge,
  type Node,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { Progress, WarningPanel } from '@backstage/core-components';
import LinearProgress from '@material-ui/core/LinearProgress';
import { useTheme } from '@material-ui/core/styles';
import { useMemo } from 'react';
import type { ColumnPath, FlowEdge, FlowNode } from './graphModel';
import { useFlowLayout } from './useFlowLayout';
import {
  LineageActionsContext,
  nodeTypes,
  type LineageActions,
} from './LineageNodes';

/**
 * The graph on screen. Layout runs in a web worker when the graph's shape changes, not on a
 * column selection (sizes do not depend on it); while it runs, the previous layout stays on screen
 * under a progress bar (nodes it has not placed yet are left out). Nodes outside the viewport are
 * not rendered.
 */
export function LineageCanvas(props: {
  flow: { nodes: FlowNode[]; edges: FlowEdge[]; path?: ColumnPath };
  actions: LineageActions;
  height: number;
}) {
  const { flow, actions, height } = props;
  const theme = useTheme();
  const { positions, laying, error } = useFlowLayout(flow.nodes, flow.edges);
  const nodes = useMemo<Node[]>(
    () =>
      flow.nodes.flatMap(n => {
        const position = positions?.get(n.id);
        if (!position) return [];
        return [
          {
            id: n.id,
            type: n.type,
            data: n.data,
            position,
            width: n.width,
            height: n.height,
            ariaLabel: n.ariaLabel,
            focusable: true,
            draggable: false,
            connectable: false,
          },
        ];
      }),
    [flow, positions],
  );
  const edges = useMemo<Edge[]>(() => {
    const dimmed = flow.path !== undefined;
    return flow.edges
      .filter(e => positions?.has(e.source) && positions.has(e.target))
      .map(e => ({
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
  }, [flow, theme, positions]);
  if (error) {
    return (
      <WarningPanel
        severity="error"
        title="Could not lay out the lineage graph"
        message={error.message}
      />
    );
  }
  if (!positions) {
    return <Progress aria-label="Laying out the lineage graph" />;
  }
  return (
    <LineageActionsContext.Provider value={actions}>
      <div
        style={{ height, width: '100%', position: 'relative' }}
        role="region"
        aria-label="Lineage graph"
      >
        {laying && (
          <LinearProgress
            aria-label="Laying out the lineage graph"
            style={{
              position: 'absolute',
              top: 0,
              left: 0,
              right: 0,
              zIndex: 5,
            }}
          />
        )}
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
