import {
  InfoCard,
  Progress,
  StatusError,
  StatusOK,
  StatusWarning,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { useApi, useApiHolder } from '@backstage/frontend-plugin-api';
import type { QualityResult } from '@ingestion-for-backstage/plugin-ingestion-common';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { exploreApiRef } from '../../api/ExploreApi';
import { ingestionApiRef } from '../../api/IngestionApi';
import { ApiErrorPanel } from '../common/ApiErrorPanel';
import { CursorTable } from '../common/CursorTable';
import { formatNumber, formatTime } from '../common/format';
import { PipelineQualityMonitor } from '../explore/quality/PipelineQualityMonitor';

/** The most recent results the per-rule summary is computed over. */
const SUMMARY_WINDOW = 200;

function Outcome({ result }: { result: QualityResult }) {
  if (result.passed) return <StatusOK>passed</StatusOK>;
  return result.severity === 'fail' ? (
    <StatusError>failed ({result.severity})</StatusError>
  ) : (
    <StatusWarning>failed ({result.severity})</StatusWarning>
  );
}

const describeRule = (r: QualityResult) =>
  `#${r.ruleIndex + 1} ${r.ruleType}${
    r.columns.length > 0 ? ` (${r.columns.join(', ')})` : ''
  }`;

const measure = (value: number | undefined) =>
  value === undefined ? '—' : String(Number(value.toFixed(4)));

/** One row per rule: its latest outcome and how often it passed in recent runs. */
export interface RuleSummary {
  latest: QualityResult;
  runs: number;
  passed: number;
}

export function summarizeRules(results: QualityResult[]): RuleSummary[] {
  const byRule = new Map<number, RuleSummary>();
  // Results come newest first: the first one seen for a rule is its latest.
  for (const result of results) {
    const summary = byRule.get(result.ruleIndex);
    if (summary) {
      summary.runs += 1;
      summary.passed += result.passed ? 1 : 0;
    } else {
      byRule.set(result.ruleIndex, {
        latest: result,
        runs: 1,
        passed: result.passed ? 1 : 0,
      });
    }
  }
  return [...byRule.values()].sort(
    (a, b) => a.latest.ruleIndex - b.latest.ruleIndex,
  );
}

const summaryColumns: TableColumn<RuleSummary>[] = [
  { title: 'Rule', render: s => describeRule(s.latest) },
  { title: 'Severity', render: s => s.latest.severity },
  { title: 'Latest', render: s => <Outcome result={s.latest} /> },
  { title: 'Threshold', render: s => measure(s.latest.threshold) },
  { title: 'Observed', render: s => measure(s.latest.observed) },
  { title: 'Failed rows', render: s => formatNumber(s.latest.failedRows) },
  {
    title: 'Passed in recent runs',
    render: s => `${s.passed} of ${s.runs}`,
  },
  { title: 'Message', render: s => s.latest.message ?? '' },
];

const historyColumns: TableColumn<QualityResult>[] = [
  { title: 'Checked', render: r => formatTime(r.createdAt) },
  { title: 'Run', field: 'runId' },
  { title: 'Rule', render: describeRule },
  { title: 'Outcome', render: r => <Outcome result={r} /> },
  { title: 'Threshold', render: r => measure(r.threshold) },
  { title: 'Observed', render: r => measure(r.observed) },
  { title: 'Failed rows', render: r => formatNumber(r.failedRows) },
  { title: 'Message', render: r => r.message ?? '' },
];

/** Quality results of a pipeline: per rule, then every result, newest first. */
export function PipelineQuality(props: { pipelineId: string }) {
  const { pipelineId } = props;
  const api = useApi(ingestionApiRef);
  // The score, trend and rule history come with the explore views, when the app has them.
  const explore = useApiHolder().get(exploreApiRef);
  const { value, loading, error } = useAsync(
    () => api.listQualityResults({ pipelineId, limit: SUMMARY_WINDOW }),
    [api, pipelineId],
  );
  if (loading) return <Progress />;
  if (error) {
    return (
      <ApiErrorPanel
        error={error}
        resource="The quality results of this pipeline"
      />
    );
  }
  const rules = summarizeRules(value?.items ?? []);
  if (rules.length === 0) {
    return (
      <InfoCard title="Quality">
        <Typography>
          No quality results yet: the pipeline has no quality rules, or has not
          run since they were added.
        </Typography>
      </InfoCard>
    );
  }
  return (
    <>
      {explore && (
        <PipelineQualityMonitor
          pipelineId={pipelineId}
          results={value?.items ?? []}
        />
      )}
      <Table<RuleSummary>
        title="Quality rules"
        subtitle={`Latest outcome of each rule, over the last ${value?.items.length} results`}
        options={{ paging: false, search: false, padding: 'dense' }}
        columns={summaryColumns}
        data={rules}
      />
      <div style={{ marginTop: 24 }}>
        <CursorTable<QualityResult>
          title="All results"
          resource="The quality results of this pipeline"
          columns={historyColumns}
          deps={[pipelineId]}
          fetchPage={cursor =>
            api.listQualityResults({ pipelineId, cursor, limit: 20 })
          }
          emptyMessage="No quality results yet."
        />
      </div>
    </>
  );
}
