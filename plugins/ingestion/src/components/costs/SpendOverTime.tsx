import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  SPEND_TAGS,
  type SpendGranularity,
  type SpendTag,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import Box from '@material-ui/core/Box';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { costsApiRef } from '../../api/CostsApi';
import { ApiErrorPanel } from '../common/ApiErrorPanel';
import { formatCost } from '../common/format';
import { StackedSpendChart } from './CostCharts';

/** How each tag reads in the selector. */
export const TAG_LABELS: Record<SpendTag, string> = {
  organization: 'Organization',
  costCenter: 'Cost center',
  environment: 'Environment',
  service: 'Service',
  owner: 'Owner (team)',
  project: 'Project',
  pipeline: 'Pipeline',
  table: 'Table',
  source: 'Source (measured or estimated)',
};

const GRANULARITIES: Array<{ value: SpendGranularity; label: string }> = [
  { value: 'day', label: 'Day (last 30 days)' },
  { value: 'week', label: 'Week (last 12 weeks)' },
  { value: 'month', label: 'Month (last 6 months)' },
];

/** An organization's spend over time, stacked by the tag the user picks. */
export function SpendOverTime(props: { organization: string }) {
  const { organization } = props;
  const api = useApi(costsApiRef);
  const [groupBy, setGroupBy] = useState<SpendTag>('service');
  const [granularity, setGranularity] = useState<SpendGranularity>('day');
  const { value, loading, error } = useAsync(
    () => api.getSpend({ organization, groupBy, granularity }),
    [api, organization, groupBy, granularity],
  );

  let body;
  if (loading) body = <Progress />;
  else if (error) {
    body = (
      <ApiErrorPanel error={error} resource="The spend of this organization" />
    );
  } else if (!value || value.points.length === 0) {
    body = (
      <Typography>
        No spend recorded in this range yet: costs appear after the first runs
        and the first daily storage sample.
      </Typography>
    );
  } else {
    body = (
      <>
        <Typography variant="body2" gutterBottom>
          Total {formatCost(value.total, value.currency)} from {value.from} to{' '}
          {value.to}, by {TAG_LABELS[value.groupBy].toLocaleLowerCase('en-US')}
        </Typography>
        <StackedSpendChart series={value} />
      </>
    );
  }

  return (
    <InfoCard title="Spend over time">
      <Box display="flex" style={{ gap: 16 }} marginBottom={2} flexWrap="wrap">
        <TextField
          id="spend-group-by"
          select
          label="Group by"
          size="small"
          variant="outlined"
          value={groupBy}
          onChange={e => setGroupBy(e.target.value as SpendTag)}
          style={{ minWidth: 200 }}
        >
          {SPEND_TAGS.map(tag => (
            <MenuItem key={tag} value={tag}>
              {TAG_LABELS[tag]}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          id="spend-period"
          select
          label="Period"
          size="small"
          variant="outlined"
          value={granularity}
          onChange={e => setGranularity(e.target.value as SpendGranularity)}
          style={{ minWidth: 200 }}
        >
          {GRANULARITIES.map(g => (
            <MenuItem key={g.value} value={g.value}>
              {g.label}
            </MenuItem>
          ))}
        </TextField>
      </Box>
      {body}
    </InfoCard>
  );
}
