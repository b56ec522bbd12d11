import {
  InfoCard,
  Link,
  Progress,
  StatusError,
  StatusWarning,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import {
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import useAsync from 'react-use/esm/useAsync';
import {
  exploreApiRef,
  type QualityCheck,
  type QualityScores,
  type QualityScoresQuery,
} from '../../../api/ExploreApi';
import { pipelineRouteRef } from '../../../routes';
import { ApiErrorPanel } from '../../common/ApiErrorPanel';
import { formatNumber, formatTime } from '../../common/format';
import { formatScore } from './score';

/** A pipeline's run, linked to its pipeline page's runs. */
export function RunLink(props: { pipelineId: string; runId: string }) {
  const pipelineLink = useRouteRef(pipelineRouteRef);
  const label = `run ${props.runId.slice(0, 8)}`;
  if (!pipelineLink) return <>{label}</>;
  return (
    <Link to={`${pipelineLink({ pipelineId: props.pipelineId })}?tab=runs`}>
      {label}
    </Link>
  );
}

const describeRule = (c: QualityCheck) =>
  `#${c.ruleIndex + 1} ${c.ruleType}${
    c.columns.length > 0 ? ` (${c.columns.join(', ')})` : ''
  }`;
const measure = (value: number | undefined) =>
  value === undefined ? '—' : String(Number(value.toFixed(4)));

function breachColumns(showPipeline: boolean): TableColumn<QualityCheck>[] {
  return [
    ...(showPipeline
      ? [{ title: 'Pipeline', render: (c: QualityCheck) => c.pipelineName }]
      : []),
    { title: 'Rule', render: describeRule },
    {
      title: 'Severity',
      render: c =>
        c.severity === 'fail' ? (
          <StatusError>{c.severity}</StatusError>
        ) : (
          <StatusWarning>{c.severity}</StatusWarning>
        ),
    },
    { title: 'Observed', render: c => measure(c.observed) },
    { title: 'Threshold', render: c => measure(c.threshold) },
    { title: 'Failed rows', render: c => formatNumber(c.failedRows) },
    { title: 'Checked', render: c => formatTime(c.checkedAt) },
    {
      title: 'Breached in',
      render: c => <RunLink pipelineId={c.pipelineId} runId={c.runId} />,
    },
  ];
}

/** The score's daily trend, 0–100 %. */
export function ScoreTrendChart(props: { trend: QualityScores['trend'] }) {
  const theme = useTheme();
  return (
    <div
      style={{ width: '100%', height: 220 }}
      role="img"
      aria-label={`Quality score per day: ${props.trend
        .map(t => `${t.day} ${formatScore(t.score)}`)
        .join(', ')}`}
    >
      <ResponsiveContainer>
        <LineChart
          data={props.trend}
          margin={{ top: 8, right: 16, bottom: 0, left: 0 }}
        >
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="day" />
          <YAxis domain={[0, 100]} unit=" %" width={56} />
          <Tooltip
            formatter={(value: unknown) => [
              formatScore(Number(value)),
              'Score',
            ]}
          />
          <Line
            type="monotone"
            dataKey="score"
            name="Score"
            stroke={theme.palette.primary.main}
            dot
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Headline score, its trend and the open breaches, given the scores. */
export function QualityScoreView(props: {
  scores: QualityScores;
  title: string;
  showPipeline?: boolean;
}) {
  const { scores, title } = props;
  const { current } = scores;
  if (current.rules === 0 && scores.trend.length === 0) {
    return (
      <InfoCard title={title}>
        <Typography>
          No quality checks between {scores.from} and {scores.to}: no pipeline
          you may read has quality rules, or none has run since they were added.
        </Typography>
      </InfoCard>
    );
  }
  return (
    <InfoCard
      title={title}
      subheader={`${scores.from} to ${scores.to}, per day (UTC)`}
    >
      <Box display="flex" alignItems="baseline" gridGap={16} mb={1}>
        <Typography variant="h3" component="p" aria-label="Quality score">
          {formatScore(current.score)}
        </Typography>
        <Typography color="textSecondary">
          {current.passing} of {current.rules}{' '}
          {current.rules === 1 ? 'rule' : 'rules'} passing in the latest runs
          (weights: fail {scores.weights.fail}, drop {scores.weights.drop}, warn{' '}
          {scores.weights.warn})
        </Typography>
      </Box>
      {scores.trend.length > 0 && <ScoreTrendChart trend={scores.trend} />}
      <Box mt={2}>
        {scores.breaches.length === 0 ? (
          <Typography>
            No open breaches: every rule passed in the latest runs.
          </Typography>
        ) : (
          <Table<QualityCheck>
            title={`Open breaches (${scores.breaches.length})`}
            options={{ paging: false, search: false, padding: 'dense' }}
            columns={breachColumns(props.showPipeline ?? false)}
            data={scores.breaches}
          />
        )}
      </Box>
    </InfoCard>
  );
}

/** Fetches and shows the quality score of an organization, a pipeline or a table. */
export function QualityScoreCard(props: {
  query: QualityScoresQuery;
  title?: string;
  showPipeline?: boolean;
}) {
  const { query, title = 'Quality score' } = props;
  const api = useApi(exploreApiRef);
  const { value, loading, error } = useAsync(
    () => api.getQualityScores(query),
    [
      api,
      query.organization,
      query.pipeline,
      query.table,
      query.from,
      query.to,
    ],
  );
  if (loading) return <Progress />;
  if (error) {
    return <ApiErrorPanel error={error} resource="This quality score" />;
  }
  return (
    <QualityScoreView
      scores={value!}
      title={title}
      showPipeline={props.showPipeline}
    />
  );
}
