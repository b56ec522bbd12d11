import {
  InfoCard,
  Progress,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type {
  Pipeline,
  Run,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import {
  Bar,
  BarChart,
  CartesianGrid,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import useAsync from 'react-use/esm/useAsync';
import { costsApiRef } from '../../api/CostsApi';
import { ingestionApiRef } from '../../api/IngestionApi';
import { ApiErrorPanel } from '../common/ApiErrorPanel';
import {
  formatCost,
  formatDbus,
  formatNumber,
  formatTime,
} from '../common/format';

/** Months shown in the monthly cost, the current one included. */
const MONTHS = 6;
/** Latest runs shown in the per-run cost. */
const RUNS = 30;

/** Tables under a chart: the card is their title. */
const tableOptions = {
  paging: false,
  search: false,
  padding: 'dense' as const,
  toolbar: false,
};

/** `YYYY-MM` of the last `count` months, oldest first, in UTC like the cost records. */
export function lastMonths(count: number, now = new Date()): string[] {
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(
      Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (count - 1 - i), 1),
    );
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(
      2,
      '0',
    )}`;
  });
}

interface MonthCost {
  month: string;
  amount: number;
}

function CostChart(props: {
  data: Array<Record<string, string | number>>;
  x: string;
  y: string;
  currency: string;
}) {
  const theme = useTheme();
  return (
    <ResponsiveContainer width="100%" height={240}>
      <BarChart data={props.data}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey={props.x} />
        <YAxis />
        <Tooltip
          formatter={(value: unknown) =>
            formatCost(Number(value), props.currency)
          }
        />
        <Bar dataKey={props.y} fill={theme.palette.primary.main} />
      </BarChart>
    </ResponsiveContainer>
  );
}

function MonthlyCost(props: {
  pipeline: Pick<Pipeline, 'id' | 'organization'>;
}) {
  const { id, organization } = props.pipeline;
  const api = useApi(costsApiRef);
  // The spend series the cost cards read, by pipeline and month: this month's figure equals the
  // pipeline's line in the cards' top pipelines (runs, storage of its tables and all).
  const { value, loading, error } = useAsync(async () => {
    const months = lastMonths(MONTHS);
    const series = await api.getSpend({
      organization,
      groupBy: 'pipeline',
      granularity: 'month',
      from: `${months[0]}-01`,
    });
    const amounts = new Map(
      series.points.filter(p => p.key === id).map(p => [p.period, p.amount]),
    );
    return {
      currency: series.currency,
      rows: months.map(month => ({
        month,
        amount: amounts.get(month) ?? 0,
      })),
    };
  }, [api, id, organization]);
  if (loading) return <Progress />;
  if (error) {
    return (
      <ApiErrorPanel error={error} resource="The costs of this organization" />
    );
  }
  const { currency, rows } = value!;
  const columns: TableColumn<MonthCost>[] = [
    { title: 'Month', field: 'month' },
    { title: 'Cost', render: r => formatCost(r.amount, currency) },
  ];
  const monthToDate = rows[rows.length - 1]?.amount ?? 0;
  return (
    <InfoCard
      title="Cost per month"
      subheader={`Compute, storage and platform · ${formatCost(
        monthToDate,
        currency,
      )} this month to date`}
    >
      <CostChart
        data={rows.map(r => ({ ...r }))}
        x="month"
        y="amount"
        currency={currency}
      />
      <Table<MonthCost>
        options={tableOptions}
        columns={columns}
        data={[...rows].reverse()}
      />
    </InfoCard>
  );
}

function RunCost(props: { pipelineId: string }) {
  const api = useApi(ingestionApiRef);
  const { value, loading, error } = useAsync(
    () => api.listPipelineRuns(props.pipelineId, { limit: RUNS }),
    [api, props.pipelineId],
  );
  if (loading) return <Progress />;
  if (error) {
    return <ApiErrorPanel error={error} resource="The runs of this pipeline" />;
  }
  const runs = value?.items ?? [];
  if (runs.length === 0) {
    return (
      <InfoCard title="Cost per run">
        <Typography>No runs yet, so no run cost.</Typography>
      </InfoCard>
    );
  }
  const chart = [...runs].reverse().map(r => ({
    run: formatTime(r.queuedAt),
    cost: r.cost ?? 0,
  }));
  const columns: TableColumn<Run>[] = [
    { title: 'Queued', render: r => formatTime(r.queuedAt) },
    { title: 'Run', field: 'id' },
    { title: 'Status', field: 'status' },
    {
      title: 'DBUs',
      render: r => formatDbus(r.dbus),
    },
    { title: 'Rows written', render: r => formatNumber(r.rowsWritten) },
    { title: 'Cost', render: r => formatCost(r.cost) },
  ];
  return (
    <InfoCard title="Cost per run" subheader={`The latest ${runs.length} runs`}>
      <CostChart data={chart} x="run" y="cost" currency="USD" />
      <Table<Run> options={tableOptions} columns={columns} data={runs} />
    </InfoCard>
  );
}

/** What a pipeline costs: per run (compute) and per month (everything booked to it). */
export function PipelineCost(props: {
  pipeline: Pick<Pipeline, 'id' | 'organization'>;
}) {
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={6}>
        <RunCost pipelineId={props.pipeline.id} />
      </Grid>
      <Grid item xs={12} md={6}>
        <MonthlyCost pipeline={props.pipeline} />
      </Grid>
    </Grid>
  );
}
