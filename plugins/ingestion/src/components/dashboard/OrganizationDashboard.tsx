import type { ReactNode } from 'react';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { dashboardApiRef, type PipelineHealth } from '../../api/DashboardApi';
import { ApiErrorPanel } from '../common/ApiErrorPanel';
import { DashboardPipelines } from './DashboardPipelines';
import { DashboardSummary } from './DashboardSummary';
import { useOrganizationRunSignals } from './useOrganizationRunSignals';

/**
 * One organization's dashboard: health, runs today, quality, spend and failures, then its
 * pipelines with server-side filters. Run status changes (signals, or a poll without them)
 * refetch the numbers and the page shown.
 */
export function OrganizationDashboard(props: {
  organization: string;
  /** Buttons beside the dashboard's freshness line (the home's "New pipeline"). */
  actions?: ReactNode;
}) {
  const { organization } = props;
  const api = useApi(dashboardApiRef);
  const { generation, live } = useOrganizationRunSignals({ organization });
  const [status, setStatus] = useState<PipelineHealth>();
  const { value, loading, error } = useAsyncRetry(
    () => api.getDashboard(organization),
    [api, organization, generation],
  );

  if (error) {
    return (
      <ApiErrorPanel
        error={error}
        resource={`The dashboard of organization '${organization}'`}
      />
    );
  }
  if (!value) {
    return loading ? <Progress /> : null;
  }
  const selectHealth = (health: PipelineHealth) => {
    setStatus(health);
    document
      .getElementById('dashboard-pipelines')
      ?.scrollIntoView?.({ behavior: 'smooth' });
  };
  return (
    <Grid container spacing={3}>
      <Grid
        item
        xs={12}
        container
        justifyContent="space-between"
        alignItems="center"
      >
        <Typography variant="caption" color="textSecondary" role="status">
          {live ? 'Live' : 'Refreshed every 30 s'} · as of{' '}
          {new Date(value.generatedAt).toLocaleTimeString()}
        </Typography>
        {props.actions}
      </Grid>
      <Grid item xs={12}>
        <DashboardSummary dashboard={value} onSelectHealth={selectHealth} />
      </Grid>
      <Grid item xs={12}>
        <DashboardPipelines
          organization={organization}
          status={status}
          onStatusChange={setStatus}
          generation={generation}
        />
      </Grid>
    </Grid>
  );
}
