import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import LinearProgress from '@material-ui/core/LinearProgress';
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
import { adminApiRef } from '../../api/AdminApi';
import { ApiErrorPanel } from '../common/ApiErrorPanel';
import { formatNumber, formatTime } from '../common/format';
import { quotaRows, type QuotaRow } from './quotaRows';

function QuotaCard(props: { row: QuotaRow }) {
  const { row } = props;
  const theme = useTheme();
  const percent =
    row.used === undefined || row.limit <= 0
      ? undefined
      : Math.min(100, (row.used / row.limit) * 100);
  const label =
    row.used === undefined
      ? `limit ${formatNumber(row.limit)} ${row.unit}`
      : `${formatNumber(row.used)} of ${formatNumber(row.limit)} ${row.unit}`;
  return (
    <InfoCard title={row.title} subheader={row.usedNote}>
      <Typography variant="h6" component="p">
        {label}
        {percent !== undefined && ` (${Math.round(percent)}%)`}
      </Typography>
      {percent !== undefined && (
        <LinearProgress
          variant="determinate"
          value={percent}
          color={percent >= 90 ? 'secondary' : 'primary'}
          aria-label={`${row.title}: ${label}`}
        />
      )}
      <Box mt={1}>
        <Typography
          variant="body2"
          color={row.refusals ? 'error' : 'textSecondary'}
        >
          {row.refusals
            ? `Refused ${row.refusals} time${
                row.refusals === 1 ? '' : 's'
              } in the last 14 days (latest ${formatTime(row.lastRefusal)})`
            : 'No refusals in the last 14 days'}
        </Typography>
      </Box>
      {row.history && (
        <Box mt={2}>
          <Typography variant="caption">{row.history.title}</Typography>
          {row.history.points.every(point => point.value === 0) ? (
            <Typography variant="body2" color="textSecondary">
              Nothing recorded in this period.
            </Typography>
          ) : (
            <ResponsiveContainer width="100%" height={140}>
              <BarChart data={row.history.points}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="label" fontSize={11} />
                <YAxis fontSize={11} allowDecimals={row.unit !== 'jobs'} />
                <Tooltip
                  formatter={(value: unknown) => [
                    `${formatNumber(Number(value))} ${row.unit}`,
                    row.title,
                  ]}
                />
                <Bar dataKey="value" fill={theme.palette.primary.main} />
              </BarChart>
            </ResponsiveContainer>
          )}
        </Box>
      )}
    </InfoCard>
  );
}

/**
 * Each quota of the organization as used-of-limit with its unit, the recent history where the
 * backend records one, and how often it refused work (runs or API requests) in the last 14 days.
 */
export function QuotasTab(props: { organization: string }) {
  const { organization } = props;
  const api = useApi(adminApiRef);
  const { value, loading, error } = useAsync(
    () => api.getQuotaUsage(organization),
    [api, organization],
  );
  if (loading) return <Progress />;
  if (error) {
    return (
      <ApiErrorPanel error={error} resource="The quotas of this organization" />
    );
  }
  const rows = value ? quotaRows(value) : [];
  const otherRefusals = (value?.refusals ?? []).filter(
    r => !rows.some(row => row.key === r.quota),
  );
  return (
    <Grid container spacing={3}>
      {rows.map(row => (
        <Grid item xs={12} md={6} lg={4} key={row.key}>
          <QuotaCard row={row} />
        </Grid>
      ))}
      {otherRefusals.length > 0 && (
        <Grid item xs={12}>
          <InfoCard title="Other refusals">
            {otherRefusals.map(r => (
              <Typography key={r.quota} variant="body2">
                {r.quota === 'rateLimits.userShareOfOrganization'
                  ? 'A caller’s share of the API quota'
                  : r.quota}
                : {r.count} in the last 14 days (latest {formatTime(r.lastAt)})
              </Typography>
            ))}
          </InfoCard>
        </Grid>
      )}
    </Grid>
  );
}
