import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { formatPipelineSpecText } from '@ingestion-for-backstage/plugin-ingestion-common';
import { makeStyles } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { ingestionApiRef } from '../../api/IngestionApi';
import { ApiErrorPanel } from '../common/ApiErrorPanel';
import { lineDiff, type DiffLine } from './lineDiff';

const useStyles = makeStyles(theme => ({
  diff: {
    fontFamily: 'monospace',
    fontSize: 13,
    margin: 0,
    padding: theme.spacing(1),
    overflowX: 'auto',
    background: theme.palette.background.default,
  },
  added: { background: 'rgba(46, 160, 67, 0.2)' },
  removed: { background: 'rgba(248, 81, 73, 0.2)' },
}));

const MARK = { same: ' ', added: '+', removed: '-' } as const;

/** The spec of `from` against the spec of `to`, as a line diff of their YAML. */
export function SpecDiff(props: {
  pipelineId: string;
  from: number;
  to: number;
}) {
  const { pipelineId, from, to } = props;
  const api = useApi(ingestionApiRef);
  const { value, loading, error } = useAsync(async () => {
    const [a, b] = await Promise.all([
      api.getPipelineVersion(pipelineId, from),
      api.getPipelineVersion(pipelineId, to),
    ]);
    return lineDiff(
      formatPipelineSpecText(a.spec ?? {}),
      formatPipelineSpecText(b.spec ?? {}),
    );
  }, [api, pipelineId, from, to]);
  if (loading) return <Progress />;
  if (error) {
    return <ApiErrorPanel error={error} resource="This version" />;
  }
  const lines = value ?? [];
  if (lines.every(line => line.kind === 'same')) {
    return (
      <Typography>
        Versions {from} and {to} have the same spec.
      </Typography>
    );
  }
  return (
    <DiffLines lines={lines} label={`Diff of versions ${from} and ${to}`} />
  );
}

/** A line diff as text, added lines green and removed lines red (also used by the editor). */
export function DiffLines(props: { lines: DiffLine[]; label: string }) {
  const classes = useStyles();
  return (
    <pre className={classes.diff} aria-label={props.label}>
      {props.lines.map((line, index) => (
        <div
          key={index}
          className={line.kind === 'same' ? undefined : classes[line.kind]}
        >
          {MARK[line.kind]} {line.text}
        </div>
      ))}
    </pre>
  );
}
