import { InfoCard } from '@backstage/core-components';
import type { QualityResult } from '@ingestion-for-backstage/plugin-ingestion-common';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import {
  CartesianGrid,
  ComposedChart,
  Line,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatTime } from '../../common/format';
import { RunLink } from './QualityScoreCard';

/** One rule's results, oldest first, as chart points. */
export interface RuleSeries {
  ruleIndex: number;
  label: string;
  severity: string;
  threshold?: number;
  points: Array<{
    at: string;
    observed?: number;
    passed: boolean;
    runId: string;
  }>;
  /** The latest result that failed, if any. */
  lastBreach?: QualityResult;
}

/** Results (any order) grouped per rule, each series oldest first, rules in spec order. */
export function ruleSeries(results: QualityResult[]): RuleSeries[] {
  const byRule = new Map<number, QualityResult[]>();
  for (const result of results) {
    byRule.set(result.ruleIndex, [
      ...(byRule.get(result.ruleIndex) ?? []),
      result,
    ]);
  }
  return [...byRule.entries()]
    .sort(([a], [b]) => a - b)
    .map(([ruleIndex, list]) => {
      const sorted = [...list].sort((a, b) =>
        a.createdAt.localeCompare(b.createdAt),
      );
      const latest = sorted[sorted.length - 1];
      return {
        ruleIndex,
        label: `#${ruleIndex + 1} ${latest.ruleType}${
          latest.columns.length > 0 ? ` (${latest.columns.join(', ')})` : ''
        }`,
        severity: latest.severity,
        threshold: latest.threshold,
        points: sorted.map(r => ({
          at: r.createdAt,
          observed: r.observed,
          passed: r.passed,
          runId: r.runId,
        })),
        lastBreach: [...sorted].reverse().find(r => !r.passed),
      };
    });
}

function RuleChart(props: { series: RuleSeries; pipelineId: string }) {
  const { series, pipelineId } = props;
  const theme = useTheme();
  const data = series.points.map(p => ({ ...p, label: formatTime(p.at) }));
  return (
    <InfoCard title={series.label} subheader={`severity ${series.severity}`}>
      <div
        style={{ width: '100%', height: 180 }}
        role="img"
        aria-label={`${
          series.label
        }: observed value per run against the threshold ${
          series.threshold ?? 'none'
        }`}
      >
        <ResponsiveContainer>
          <ComposedChart data={data} margin={{ top: 8, right: 16, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" hide />
            <YAxis width={56} />
            <Tooltip
              formatter={(value: unknown) => [String(value), 'Observed']}
            />
            {series.threshold !== undefined && (
              <ReferenceLine
                y={series.threshold}
                stroke={theme.palette.error.main}
                strokeDasharray="6 3"
                label={{
                  value: `threshold ${series.threshold}`,
                  position: 'insideTopRight',
                }}
              />
            )}
            <Line
              dataKey="observed"
              name="Observed"
              stroke={theme.palette.primary.main}
              isAnimationActive={false}
              dot={(dot: any) => (
                <circle
                  key={`${dot.index}`}
                  cx={dot.cx}
                  cy={dot.cy}
                  r={4}
                  fill={
                    dot.payload?.passed
                      ? theme.palette.success.main
                      : theme.palette.error.main
                  }
                />
              )}
            />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <Typography variant="body2">
        {series.lastBreach ? (
          <>
            Last breached {formatTime(series.lastBreach.createdAt)} in{' '}
            <RunLink pipelineId={pipelineId} runId={series.lastBreach.runId} />.
          </>
        ) : (
          `Passed in all ${series.points.length} checks shown.`
        )}
      </Typography>
    </InfoCard>
  );
}

/** Each rule's history: the metric per run against its threshold, and the run that breached it. */
export function RuleHistory(props: {
  results: QualityResult[];
  pipelineId: string;
}) {
  const series = ruleSeries(props.results);
  return (
    <Grid container spacing={2}>
      {series.map(s => (
        <Grid item xs={12} md={6} key={s.ruleIndex}>
          <RuleChart series={s} pipelineId={props.pipelineId} />
        </Grid>
      ))}
    </Grid>
  );
}
