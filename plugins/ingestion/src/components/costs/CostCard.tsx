import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import type { SpendSummary } from '@ingestion-for-backstage/plugin-ingestion-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import type { ReactNode } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { costsApiRef, type SpendScope } from '../../api/CostsApi';
import { pipelineRouteRef } from '../../routes';
import { errorStatus } from '../common/ApiErrorPanel';
import { formatCost } from '../common/format';
import { BudgetProgress } from './BudgetProgress';
import { monthLabel, MonthlyTrendChart } from './CostCharts';
import { costPageLink, costsRouteRef } from './routes';
import { spendScopeOf } from './scope';

function Figure(props: { label: string; value: string }) {
  return (
    <Box>
      <Typography variant="overline" color="textSecondary" component="div">
        {props.label}
      </Typography>
      <Typography variant="h5" component="div">
        {props.value}
      </Typography>
    </Box>
  );
}

function SmallTable(props: {
  label: string;
  rows: Array<{ key: string; name: ReactNode; amount: string }>;
}) {
  return (
    <Table size="small" aria-label={props.label}>
      <TableBody>
        {props.rows.map(row => (
          <TableRow key={row.key}>
            <TableCell component="th" scope="row" style={{ paddingLeft: 0 }}>
              {row.name}
            </TableCell>
            <TableCell align="right" style={{ paddingRight: 0 }}>
              {row.amount}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function SummaryBody(props: { summary: SpendSummary }) {
  const { summary } = props;
  const pipelineLink = useRouteRef(pipelineRouteRef);
  const { currency } = summary;
  const hasSpend = summary.trend.some(t => t.amount > 0);
  if (!hasSpend) {
    return (
      <Typography>
        No spend recorded yet: costs appear here after the first runs of{' '}
        {summary.team ? 'this team’s' : 'this organization’s'} pipelines and the
        first daily storage sample.
      </Typography>
    );
  }
  return (
    <Grid container spacing={2}>
      <Grid item xs={6}>
        <Figure
          label="Month to date"
          value={formatCost(summary.monthToDate, currency)}
        />
      </Grid>
      <Grid item xs={6}>
        <Figure
          label="Month-end forecast"
          value={formatCost(summary.forecast, currency)}
        />
      </Grid>
      <Grid item xs={12}>
        {summary.budget ? (
          <BudgetProgress budget={summary.budget} currency={currency} />
        ) : (
          <Typography variant="body2" color="textSecondary">
            No budget set for {summary.team ? 'this team' : 'this organization'}
            .
          </Typography>
        )}
      </Grid>
      <Grid item xs={12}>
        <Typography variant="subtitle2">Last 6 months</Typography>
        <MonthlyTrendChart trend={summary.trend} currency={currency} />
      </Grid>
      <Grid item xs={12} md={6}>
        <Typography variant="subtitle2">By service, this month</Typography>
        {summary.byService.length === 0 ? (
          <Typography variant="body2">Nothing this month yet.</Typography>
        ) : (
          <SmallTable
            label="Spend by service this month"
            rows={summary.byService.map(s => ({
              key: s.service,
              name: s.service,
              amount: formatCost(s.amount, currency),
            }))}
          />
        )}
      </Grid>
      <Grid item xs={12} md={6}>
        <Typography variant="subtitle2">Top pipelines, this month</Typography>
        {summary.topPipelines.length === 0 ? (
          <Typography variant="body2">No pipeline cost this month.</Typography>
        ) : (
          <SmallTable
            label="Top pipelines this month"
            rows={summary.topPipelines.map(p => ({
              key: p.id,
              name: pipelineLink ? (
                <Link to={pipelineLink({ pipelineId: p.id })}>{p.name}</Link>
              ) : (
                p.name
              ),
              amount: formatCost(p.amount, currency),
            }))}
          />
        )}
      </Grid>
    </Grid>
  );
}

/**
 * The spend of a team or an organization this month: month to date against the budget, the
 * month-end forecast, six months of trend, spend by service and the top pipelines. Renders nothing
 * for users who may not read the organization's costs (non-members get 404, viewers 403): the
 * card is for members who work with the pipelines.
 */
export function CostCard(props: { scope: SpendScope; title?: string }) {
  const { scope } = props;
  const api = useApi(costsApiRef);
  const costPage = useRouteRef(costsRouteRef);
  const { value, loading, error } = useAsync(
    () => api.getSummary(scope),
    [api, scope.organization, scope.team],
  );
  const status = error ? errorStatus(error) : undefined;
  if (status === 403 || status === 404) return null;
  const title =
    props.title ?? (scope.team ? 'Team spend' : 'Organization spend');
  const deepLink = costPage
    ? {
        title: 'Open the cost page',
        link: costPageLink(costPage(), scope.organization),
      }
    : undefined;
  let body;
  if (loading) body = <Progress />;
  else if (error) body = <ResponseErrorPanel error={error} />;
  else body = <SummaryBody summary={value!} />;
  return (
    <InfoCard
      title={title}
      subheader={
        value
          ? `${monthLabel(value.month)}, ${value.currency} · ${
              scope.team ?? `organization ${scope.organization}`
            }${scope.team ? ' and its sub-groups' : ''}`
          : undefined
      }
      deepLink={deepLink}
    >
      {body}
    </InfoCard>
  );
}

/** {@link CostCard} of the current entity: a Group (team) or a System (organization). */
export function EntityCostCard() {
  const { entity } = useEntity();
  const scope = spendScopeOf(entity);
  if (!scope) return null;
  return <CostCard scope={scope} />;
}
