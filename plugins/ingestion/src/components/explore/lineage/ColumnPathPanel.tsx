import { InfoCard } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import type { LineageGraphResponse } from '../../../api/ExploreApi';
import type { ColumnPath, ColumnRef } from './graphModel';

/**
 * The selected column's path in words: each step from a column to the column made of it, with
 * the pipeline and the kind of transformation (the graph highlights the same path).
 */
export function ColumnPathPanel(props: {
  graph: LineageGraphResponse;
  selection: ColumnRef;
  path: ColumnPath;
}) {
  const { graph, selection, path } = props;
  const names = new Map(graph.nodes.map(n => [n.id, n.name]));
  const name = (id: string) => names.get(id) ?? id;
  return (
    <InfoCard
      title={`Path of column ${selection.column} (${name(selection.node)})`}
    >
      {path.steps.length === 0 ? (
        <Typography>
          No column lineage through this column: no pipeline you may see reads
          or writes it by name.
        </Typography>
      ) : (
        <ol aria-label="Column path">
          {path.steps.map(step => (
            <li
              key={`${step.from.node}.${step.from.column}>${step.to.node}.${step.to.column}>${step.pipelineId}`}
            >
              <Typography variant="body2">
                {name(step.from.node)}.<strong>{step.from.column}</strong> →{' '}
                {name(step.to.node)}.<strong>{step.to.column}</strong> by{' '}
                {name(`pipeline:${step.pipelineId}`)} ({step.kind}
                {step.transformation ? `: ${step.transformation}` : ''})
              </Typography>
            </li>
          ))}
        </ol>
      )}
    </InfoCard>
  );
}
