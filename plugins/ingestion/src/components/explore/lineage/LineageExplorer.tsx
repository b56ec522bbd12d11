import { EmptyState, Progress, WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  exploreApiRef,
  type LineageDirection,
  type LineageGraphResponse,
} from '../../../api/ExploreApi';
import { ApiErrorPanel } from '../../common/ApiErrorPanel';
import { buildFlow, mergeGraphs, type ColumnRef } from './graphModel';
import { LineageCanvas } from './LineageCanvas';
import { ColumnPathPanel } from './ColumnPathPanel';

/** Where a lineage graph starts: a pipeline, or a dataset by its lineage ref. */
export interface LineageStart {
  organization: string;
  pipelineId?: string;
  dataset?: string;
}

export const DEPTHS = [1, 2, 3, 4, 5] as const;
const DIRECTIONS: Array<{ value: LineageDirection; label: string }> = [
  { value: 'both', label: 'Upstream and downstream' },
  { value: 'upstream', label: 'Upstream only' },
  { value: 'downstream', label: 'Downstream only' },
];

type Loaded =
  | { state: 'loading' }
  | { state: 'error'; error: Error }
  | { state: 'done'; graph: LineageGraphResponse };

/**
 * The lineage explorer: the graph N hops up and/or down stream from a start, each node expandable
 * by one request for its neighbours, and a column's path through the transforms on selection.
 */
export function LineageExplorer(props: {
  start: LineageStart;
  depth?: number;
  direction?: LineageDirection;
  /** Called when the user changes depth or direction (the page keeps them in its URL). */
  onChange?: (change: { depth: number; direction: LineageDirection }) => void;
  height?: number;
  /** "Now" for freshness; tests pin it. */
  now?: number;
}) {
  const { start, onChange, height = 640 } = props;
  const api = useApi(exploreApiRef);
  const [depth, setDepth] = useState(props.depth ?? 1);
  const [direction, setDirection] = useState<LineageDirection>(
    props.direction ?? 'both',
  );
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [selection, setSelection] = useState<ColumnRef | undefined>();
  const [expanding, setExpanding] = useState<ReadonlySet<string>>(new Set());
  const [expandError, setExpandError] = useState<string | undefined>();
  // Freshness is relative to when the page opened: a stable value keeps the nodes memoized.
  const [now] = useState(() => props.now ?? Date.now());
  const { organization, pipelineId, dataset } = start;

  useEffect(() => {
    let cancelled = false;
    setLoaded({ state: 'loading' });
    setSelection(undefined);
    api
      .getLineage({
        organization,
        pipelineId,
        dataset,
        depth,
        direction,
        columns: true,
      })
      .then(
        graph => !cancelled && setLoaded({ state: 'done', graph }),
        error => !cancelled && setLoaded({ state: 'error', error }),
      );
    return () => {
      cancelled = true;
    };
  }, [api, organization, pipelineId, dataset, depth, direction]);

  const graph = loaded.state === 'done' ? loaded.graph : undefined;

  const expand = useCallback(
    (nodeId: string) => {
      const node = graph?.nodes.find(n => n.id === nodeId);
      if (!node) return;
      setExpanding(current => new Set(current).add(nodeId));
      setExpandError(undefined);
      api
        .getLineage({
          organization,
          pipelineId: node.pipelineId,
          dataset: node.pipelineId ? undefined : node.datasetRef,
          depth: 1,
          direction: 'both',
          columns: true,
        })
        .then(
          added =>
            setLoaded(current =>
              current.state === 'done'
                ? { state: 'done', graph: mergeGraphs(current.graph, added) }
                : current,
            ),
          error =>
            setExpandError(`Could not expand ${node.name}: ${error.message}`),
        )
        .finally(() =>
          setExpanding(current => {
            const next = new Set(current);
            next.delete(nodeId);
            return next;
          }),
        );
    },
    [api, graph, organization],
  );

  const selectColumn = useCallback((node: string, column: string) => {
    setSelection(current =>
      current?.node === node && current.column === column
        ? undefined
        : { node, column },
    );
  }, []);

  const flow = useMemo(
    () => (graph ? buildFlow(graph, selection) : undefined),
    [graph, selection],
  );
  const actions = useMemo(
    () => ({ selectColumn, expand, expanding, now }),
    [selectColumn, expand, expanding, now],
  );

  const controls = (
    <Box display="flex" gridGap={16} alignItems="center" flexWrap="wrap" mb={2}>
      <TextField
        select
        id="lineage-depth"
        label="Depth (pipeline hops)"
        value={depth}
        onChange={e => {
          const next = Number(e.target.value);
          setDepth(next);
          onChange?.({ depth: next, direction });
        }}
        variant="outlined"
        size="small"
        style={{ minWidth: 180 }}
      >
        {DEPTHS.map(d => (
          <MenuItem key={d} value={d}>
            {d}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        select
        id="lineage-direction"
        label="Direction"
        value={direction}
        onChange={e => {
          const next = e.target.value as LineageDirection;
          setDirection(next);
          onChange?.({ depth, direction: next });
        }}
        variant="outlined"
        size="small"
        style={{ minWidth: 220 }}
      >
        {DIRECTIONS.map(d => (
          <MenuItem key={d.value} value={d.value}>
            {d.label}
          </MenuItem>
        ))}
      </TextField>
      {selection && (
        <Button variant="outlined" onClick={() => setSelection(undefined)}>
          Clear column selection
        </Button>
      )}
      <Typography variant="caption" color="textSecondary">
        Select a column to follow it through the transforms. Rounded nodes are
        pipelines (with their latest run), square ones datasets (with when they
        were last written).
      </Typography>
    </Box>
  );

  let body: JSX.Element;
  if (loaded.state === 'loading') {
    body = <Progress />;
  } else if (loaded.state === 'error') {
    body = <ApiErrorPanel error={loaded.error} resource="This lineage" />;
  } else if (loaded.graph.edges.length === 0 && !loaded.graph.hidden?.length) {
    body = (
      <EmptyState
        missing="data"
        title="No lineage yet"
        description="Nothing you may see reads from or writes to this yet: lineage appears once pipelines name it as a source or target."
      />
    );
  } else {
    body = (
      <>
        {loaded.graph.truncated && (
          <WarningPanel
            severity="info"
            title="The graph reached its size limit: deeper parts are left out. Lower the depth or start from a nearer node."
          />
        )}
        {expandError && <WarningPanel severity="error" title={expandError} />}
        <LineageCanvas flow={flow!} height={height} actions={actions} />
        {selection && flow?.path && (
          <ColumnPathPanel
            graph={loaded.graph}
            selection={selection}
            path={flow.path}
          />
        )}
      </>
    );
  }
  return (
    <>
      {controls}
      {body}
    </>
  );
}
