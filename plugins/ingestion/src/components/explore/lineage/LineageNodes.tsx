import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import VisibilityOffIcon from '@material-ui/icons/VisibilityOff';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { createContext, memo, useContext } from 'react';
import type { Run } from '@ingestion-for-backstage/plugin-ingestion-common';
import { RunStatus } from '../../common/RunStatus';
import {
  MAX_COLUMNS_SHOWN,
  NODE_WIDTH,
  type DatasetNodeData,
  type HiddenNodeData,
  type PipelineNodeData,
} from './graphModel';
import { formatAge } from './freshness';

/** What nodes call back into the explorer with (a context, so node objects stay stable). */
export interface LineageActions {
  selectColumn(node: string, column: string): void;
  expand(node: string): void;
  /** Ids of nodes being expanded right now. */
  expanding: ReadonlySet<string>;
  /** When "now" is for freshness (tests pin it). */
  now: number;
}

export const LineageActionsContext = createContext<LineageActions>({
  selectColumn: () => {},
  expand: () => {},
  expanding: new Set(),
  now: 0,
});

const useStyles = makeStyles(theme => ({
  node: {
    width: NODE_WIDTH,
    boxSizing: 'border-box',
    padding: theme.spacing(1),
    borderRadius: 6,
    background: theme.palette.background.paper,
    border: `1px solid ${theme.palette.divider}`,
    fontSize: 12,
    transition: 'opacity 120ms',
  },
  pipeline: {
    borderLeft: `6px solid ${theme.palette.primary.main}`,
    borderRadius: 24,
  },
  dataset: { borderTop: `4px solid ${theme.palette.secondary.main}` },
  root: { boxShadow: `0 0 0 3px ${theme.palette.primary.light}` },
  onPath: { border: `2px solid ${theme.palette.warning.main}` },
  dimmed: { opacity: 0.35 },
  header: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: 4,
  },
  name: {
    fontWeight: 600,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
  meta: { color: theme.palette.text.secondary, fontSize: 11 },
  columns: { listStyle: 'none', margin: 0, padding: 0 },
  column: {
    display: 'block',
    width: '100%',
    height: 22,
    margin: '2px 0 0',
    padding: '0 6px',
    textAlign: 'left',
    border: 'none',
    borderRadius: 3,
    background: 'transparent',
    color: theme.palette.text.primary,
    font: 'inherit',
    cursor: 'pointer',
    '&:hover, &:focus-visible': { background: theme.palette.action.hover },
  },
  columnOnPath: {
    background: theme.palette.warning.light,
    color: theme.palette.getContrastText(theme.palette.warning.light),
  },
  columnSelected: {
    fontWeight: 700,
    outline: `2px solid ${theme.palette.warning.dark}`,
  },
  expand: {
    border: 'none',
    background: 'transparent',
    color: theme.palette.primary.main,
    cursor: 'pointer',
    font: 'inherit',
    padding: 0,
  },
  hidden: {
    display: 'flex',
    alignItems: 'center',
    gap: 6,
    padding: theme.spacing(1),
    borderRadius: 6,
    border: `1px dashed ${theme.palette.text.disabled}`,
    color: theme.palette.text.secondary,
    background: theme.palette.background.default,
    fontSize: 12,
  },
}));

/** An Iceberg table's own name, and the catalog and namespace it lives in. */
function splitName(node: { kind: string; name: string }) {
  if (node.kind !== 'iceberg-table') return { short: node.name, scope: '' };
  const at = node.name.lastIndexOf('.');
  return {
    short: node.name.slice(at + 1),
    scope: at > 0 ? node.name.slice(0, at) : '',
  };
}

function classes(...names: Array<string | false | undefined>) {
  return names.filter(Boolean).join(' ');
}

function ExpandButton(props: { nodeId: string; name: string }) {
  const styles = useStyles();
  const { expand, expanding } = useContext(LineageActionsContext);
  const busy = expanding.has(props.nodeId);
  return (
    <button
      type="button"
      className={`${styles.expand} nodrag`}
      aria-label={`Expand the neighbours of ${props.name}`}
      disabled={busy}
      onClick={() => expand(props.nodeId)}
    >
      {busy ? '…' : '+ expand'}
    </button>
  );
}

export const PipelineNode = memo(function PipelineNodeView(
  props: NodeProps & { data: PipelineNodeData },
) {
  const styles = useStyles();
  const { node, root, onPath, dimmed } = props.data;
  return (
    <div
      className={classes(
        styles.node,
        styles.pipeline,
        root && styles.root,
        onPath && styles.onPath,
        dimmed && styles.dimmed,
      )}
      data-testid={`lineage-node-${node.id}`}
    >
      <Handle type="target" position={Position.Left} />
      <div className={styles.header}>
        <Typography component="span" className={styles.name} variant="body2">
          <EntityRefLink
            entityRef={node.entityRef}
            hideIcon
            title={node.name}
          />
        </Typography>
        <ExpandButton nodeId={node.id} name={node.name} />
      </div>
      <div className={styles.meta}>
        pipeline ·{' '}
        {node.lastRun ? (
          <RunStatus status={node.lastRun.status as Run['status']} />
        ) : (
          'never run'
        )}
      </div>
      <Handle type="source" position={Position.Right} />
    </div>
  );
});

export const DatasetNode = memo(function DatasetNodeView(
  props: NodeProps & { data: DatasetNodeData },
) {
  const styles = useStyles();
  const { selectColumn, now } = useContext(LineageActionsContext);
  const { node, root, columns, selectedColumn, pathColumns, onPath, dimmed } =
    props.data;
  const { short, scope } = splitName(node);
  // Columns on the selected path are always listed, then the others up to the cap.
  const listed = [
    ...columns.filter(c => pathColumns.includes(c)),
    ...columns.filter(c => !pathColumns.includes(c)),
  ].slice(0, MAX_COLUMNS_SHOWN);
  return (
    <div
      className={classes(
        styles.node,
        styles.dataset,
        root && styles.root,
        onPath && styles.onPath,
        dimmed && styles.dimmed,
      )}
      data-testid={`lineage-node-${node.id}`}
    >
      <Handle type="target" position={Position.Left} />
      <div className={styles.header}>
        <Typography
          component="span"
          className={styles.name}
          variant="body2"
          title={node.name}
        >
          <EntityRefLink entityRef={node.entityRef} hideIcon title={short} />
        </Typography>
        <ExpandButton nodeId={node.id} name={node.name} />
      </div>
      <div className={styles.meta}>
        {scope ? `${scope} · ` : ''}
        {node.kind}
        {node.updatedAt ? ` · written ${formatAge(node.updatedAt, now)}` : ''}
      </div>
      {listed.length > 0 && (
        <ul className={styles.columns} aria-label={`Columns of ${node.name}`}>
          {listed.map(column => (
            <li key={column}>
              <button
                type="button"
                className={classes(
                  styles.column,
                  'nodrag',
                  pathColumns.includes(column) && styles.columnOnPath,
                  column === selectedColumn && styles.columnSelected,
                )}
                aria-pressed={column === selectedColumn}
                aria-label={`Column ${column} of ${node.name}${
                  pathColumns.includes(column) ? ' (on the selected path)' : ''
                }`}
                onClick={() => selectColumn(node.id, column)}
              >
                {column}
              </button>
            </li>
          ))}
          {columns.length > listed.length && (
            <li className={styles.meta}>
              + {columns.length - listed.length} more columns
            </li>
          )}
        </ul>
      )}
      <Handle type="source" position={Position.Right} />
    </div>
  );
});

export const HiddenNode = memo(function HiddenNodeView(
  props: NodeProps & { data: HiddenNodeData },
) {
  const styles = useStyles();
  const { count, direction } = props.data;
  return (
    <div
      className={styles.hidden}
      title={`${count} ${direction} ${
        count === 1 ? 'pipeline' : 'pipelines'
      } you may not see`}
    >
      <Handle type="target" position={Position.Left} />
      <VisibilityOffIcon fontSize="small" />
      <Chip size="small" label={`${count} hidden`} />
      <Handle type="source" position={Position.Right} />
    </div>
  );
});

/** The node types, defined once (React Flow re-mounts nodes whenever this object changes). */
export const nodeTypes = {
  pipeline: PipelineNode,
  dataset: DatasetNode,
  hidden: HiddenNode,
};
