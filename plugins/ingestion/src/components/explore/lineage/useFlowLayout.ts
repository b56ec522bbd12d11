import { useEffect, useMemo, useRef, useState } from 'react';
import type { LayoutPosition } from './layout';
import { LayoutClient, type LayoutResult } from './layoutClient';
import type { FlowEdge, FlowNode } from './graphModel';

/** What the canvas draws from: the latest positions, and whether newer ones are on their way. */
export interface FlowLayout {
  /** The latest finished layout's positions: the current graph's, or the one's before it. */
  positions?: Map<string, LayoutPosition>;
  /** A layout of the current graph is running. */
  laying: boolean;
  /** The current graph's layout failed. */
  error?: Error;
}

/** What the layout depends on: the nodes' ids and sizes and the edges (not a column selection). */
export const layoutShape = (nodes: FlowNode[], edges: FlowEdge[]) =>
  `${nodes.map(n => `${n.id}:${n.width}x${n.height}`).join('|')}#${edges
    .map(e => `${e.source}>${e.target}`)
    .join('|')}`;

/**
 * Lays the graph out in a web worker whenever its shape changes (a new layout cancels a stale
 * one), keeping the previous positions on screen meanwhile.
 */
export function useFlowLayout(
  nodes: FlowNode[],
  edges: FlowEdge[],
  createClient: () => LayoutClient = () => new LayoutClient(),
): FlowLayout {
  const [client] = useState(createClient);
  const shape = useMemo(() => layoutShape(nodes, edges), [nodes, edges]);
  const latest = useRef({ nodes, edges });
  latest.current = { nodes, edges };
  const [done, setDone] = useState<{ shape: string; result: LayoutResult }>();
  const [positions, setPositions] = useState<Map<string, LayoutPosition>>();

  useEffect(
    () =>
      client.layout(latest.current.nodes, latest.current.edges, result => {
        setDone({ shape, result });
        if ('positions' in result) setPositions(result.positions);
      }),
    [client, shape],
  );
  useEffect(() => () => client.dispose(), [client]);

  const current = done?.shape === shape ? done.result : undefined;
  return {
    positions,
    laying: current === undefined,
    error: current && 'error' in current ? current.error : undefined,
  };
}
