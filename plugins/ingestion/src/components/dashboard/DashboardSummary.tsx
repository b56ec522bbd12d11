import type { ComponentProps } from 'react';
import {
  InfoCard,
  LinearGauge,
  Link,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import Grid from '@material-ui/core/Grid';
import MuiLink from '@material-ui/core/Link';
import Typography from '@material-ui/core/Typography';
import {
  PIPELINE_HEALTHS,
  type OrganizationDashboard,
  type PipelineHealth,
} from '../../api/DashboardApi';
import { pipelineRouteRef } from '../../routes';
import { formatCost, formatTime } from '../common/format';
import { RunStatus } from '../common/RunStatus';
import { HEALTH_LABELS, HealthStatus } from './health';

type LinearGaugeColor = NonNullable<
  ComponentProps<typeof LinearGauge>['getColor']
>;

type Failure = OrganizationDashboard['recentFailures'][number];

/** A number with its label, large. */
function Figure(props: { label: string; value: string; detail?: string }) {
  return (
    <div>
      <Typography variant="h3" component="p">
        {props.value}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {props.label}
      </Typography>
      {props.detail && (
        <Typography variant="caption" color="textSecondary">
          {props.detail}
        </Typography>
      )}
    </div>
  );
}

function HealthCard(props: {
  dashboard: OrganizationDashboard;
  onSelect(health: PipelineHealth): void;
}) {
  const { pipelines, freshnessGraceMinutes } = props.dashboard;
  return (
    <InfoCard
      title="Pipelines by health"
      subheader={`${pipelines.total} ${
        pipelines.total === 1 ? 'pipeline' : 'pipelines'
      }`}
    >
      <ul
        aria-label="Pipelines by health"
        style={{ listStyle: 'none', margin: 0, padding: 0 }}
      >
        {PIPELINE_HEALTHS.map(health => (
          <li
            key={health}
            style={{ display: 'flex', justifyContent: 'space-between' }}
          >
            <MuiLink
              component="button"
              variant="body2"
              onClick={() => props.onSelect(health)}
              aria-label={`Show the ${pipelines[health]} pipelines: ${HEALTH_LABELS[health]}`}
            >
              <HealthStatus health={health} />
            </MuiLink>
            <Typography
              component="span"
              variant="h6"
              data-testid={`health-${health}`}
            >
              {pipelines[health]}
            </Typography>
          </li>
        ))}
      </ul>
      <Typography variant="caption" color="textSecondary">
        Stale: scheduled, and no success within the schedule's interval plus{' '}
        {freshnessGraceMinutes} min.
      </Typography>
    </InfoCard>
  );
}

function RunsCard(props: { runs: OrganizationDashboard['runsToday'] }) {
  const { runs } = props;
  return (
    <InfoCard title="Runs today" subheader="Since midnight UTC">
      <Grid container spacing={2}>
        <Grid item xs={6}>
          <Figure label="runs triggered" value={String(runs.total)} />
        </Grid>
        <Grid item xs={6}>
          <Figure
            label="success rate"
            value={runs.successRate === null ? '—' : `${runs.successRate}%`}
            detail={`${runs.succeeded} succeeded, ${runs.failed} failed`}
          />
        </Grid>
        <Grid item xs={12}>
          <Typography variant="body2">
            {runs.active > 0
              ? `${runs.active} queued or running now`
              : 'Nothing running now'}
          </Typography>
        </Grid>
      </Grid>
    </InfoCard>
  );
}

function QualityCard(props: { quality: OrganizationDashboard['quality'] }) {
  const { quality } = props;
  return (
    <InfoCard
      title="Quality score"
      subheader="Latest checked run of each pipeline"
    >
      <Figure
        label="of 100, rules weighted by severity"
        value={quality.score === null ? '—' : String(quality.score)}
        detail={
          quality.rules > 0
            ? `${quality.passing} of ${quality.rules} rules passing`
            : 'No quality rules checked yet'
        }
      />
    </InfoCard>
  );
}

/** The budget bar's colour: high is bad (the gauge passes percent used). */
const budgetColor: LinearGaugeColor = ({ palette, value }) => {
  if (value >= 100) return palette.status.error;
  if (value >= 80) return palette.status.warning;
  return palette.status.ok;
};

function SpendCard(props: { spend: OrganizationDashboard['spend'] }) {
  const { spend } = props;
  if (!spend) {
    return (
      <InfoCard title="Spend this month">
        <Typography variant="body2">
          Your roles in this organization do not include reading its spend.
        </Typography>
      </InfoCard>
    );
  }
  return (
    <InfoCard title="Spend this month" subheader={spend.month}>
      <Figure
        label="month to date"
        value={formatCost(spend.monthToDate, spend.currency)}
        detail={`forecast ${formatCost(spend.forecast, spend.currency)}`}
      />
      {spend.budget ? (
        <div aria-label="Budget used">
          <Typography variant="body2">
            {Math.round(spend.budget.progress * 100)}% of the{' '}
            {formatCost(spend.budget.monthly, spend.currency)} monthly budget
          </Typography>
          <LinearGauge
            value={Math.min(spend.budget.progress, 1)}
            getColor={budgetColor}
          />
        </div>
      ) : (
        <Typography variant="body2">No budget set</Typography>
      )}
    </InfoCard>
  );
}

function FailuresTable(props: { failures: Failure[] }) {
  const pipelineLink = useRouteRef(pipelineRouteRef);
  const columns: TableColumn<Failure>[] = [
    { title: 'Status', render: f => <RunStatus status={f.status as never} /> },
    {
      title: 'Pipeline',
      render: f =>
        pipelineLink ? (
          <Link
            to={`${pipelineLink({ pipelineId: f.pipelineId })}?tab=runs`}
            aria-label={`Runs of ${f.pipelineName}, where run ${f.runId.slice(
              0,
              8,
            )} failed`}
          >
            {f.pipelineName}
          </Link>
        ) : (
          f.pipelineName
        ),
    },
    { title: 'Run', render: f => <code>{f.runId.slice(0, 8)}</code> },
    { title: 'Queued', render: f => formatTime(f.queuedAt) },
    { title: 'Error', render: f => f.error ?? '—' },
  ];
  return (
    <Table<Failure>
      title="Recent failures"
      options={{ paging: false, search: false, padding: 'dense' }}
      columns={columns}
      data={props.failures}
      emptyContent={
        <Typography style={{ padding: 16 }}>No failed runs.</Typography>
      }
    />
  );
}

/** The dashboard's cards: health, runs today, quality, spend, and recent failures. */
export function DashboardSummary(props: {
  dashboard: OrganizationDashboard;
  onSelectHealth(health: PipelineHealth): void;
}) {
  const { dashboard } = props;
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={6} lg={3}>
        <HealthCard dashboard={dashboard} onSelect={props.onSelectHealth} />
      </Grid>
      <Grid item xs={12} md={6} lg={3}>
        <RunsCard runs={dashboard.runsToday} />
      </Grid>
      <Grid item xs={12} md={6} lg={3}>
        <QualityCard quality={dashboard.quality} />
      </Grid>
      <Grid item xs={12} md={6} lg={3}>
        <SpendCard spend={dashboard.spend} />
      </Grid>
      <Grid item xs={12}>
        <FailuresTable failures={dashboard.recentFailures} />
      </Grid>
    </Grid>
  );
}
