import { InfoCard, Link, type TableColumn } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import type { PipelineSpend } from '@ingestion-for-backstage/plugin-ingestion-common';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';
import { costsApiRef } from '../../api/CostsApi';
import { pipelineRouteRef } from '../../routes';
import { CursorTable } from '../common/CursorTable';
import { formatCost, formatNumber, formatUnitCost } from '../common/format';
import { currentMonth } from './download';

const PAGE_SIZE = 20;

/**
 * What each pipeline cost in a month, and what its runs cost per run and per good row (rows its
 * succeeded runs wrote), paged on the server.
 */
export function PipelineUnitCosts(props: { organization: string }) {
  const { organization } = props;
  const api = useApi(costsApiRef);
  const pipelineLink = useRouteRef(pipelineRouteRef);
  const [month, setMonth] = useState(currentMonth());
  const validMonth = /^\d{4}-(0[1-9]|1[0-2])$/.test(month);
  const columns: TableColumn<PipelineSpend>[] = [
    {
      title: 'Pipeline',
      render: p =>
        pipelineLink ? (
          <Link to={pipelineLink({ pipelineId: p.pipelineId })}>{p.name}</Link>
        ) : (
          p.name
        ),
    },
    { title: 'Owner', field: 'owner' },
    { title: 'Cost', render: p => formatCost(p.cost, p.currency) },
    { title: 'Runs', render: p => formatNumber(p.runs) },
    {
      title: 'Cost per run',
      render: p => formatUnitCost(p.costPerRun, p.currency, 'run'),
    },
    { title: 'Good rows', render: p => formatNumber(p.goodRows) },
    {
      title: 'Cost per good row',
      render: p => formatUnitCost(p.costPerGoodRow, p.currency, 'row'),
    },
  ];
  return (
    <InfoCard
      title="Cost per good row"
      subheader="What each pipeline's runs cost in the month, per run and per row its succeeded runs wrote; the cost column also counts storage and platform usage"
    >
      <TextField
        id="unit-cost-month"
        label="Month"
        type="month"
        size="small"
        variant="outlined"
        value={month}
        onChange={e => setMonth(e.target.value)}
        InputLabelProps={{ shrink: true }}
        inputProps={{ max: currentMonth() }}
        style={{ marginBottom: 8 }}
      />
      <CursorTable<PipelineSpend>
        title="Pipelines"
        columns={columns}
        deps={[organization, month]}
        fetchPage={cursor =>
          validMonth
            ? api.listPipelineSpend({
                organization,
                month,
                cursor,
                limit: PAGE_SIZE,
              })
            : Promise.resolve({ items: [] })
        }
        emptyMessage={
          validMonth
            ? `No pipeline cost in ${month}.`
            : 'Pick a month to see its cost per pipeline.'
        }
        resource="The pipelines' costs"
      />
    </InfoCard>
  );
}
