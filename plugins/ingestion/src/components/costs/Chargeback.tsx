import {
  InfoCard,
  Progress,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import GetAppIcon from '@material-ui/icons/GetApp';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { costsApiRef, type ChargebackBy } from '../../api/CostsApi';
import { ApiErrorPanel } from '../common/ApiErrorPanel';
import { formatCost } from '../common/format';
import { chargebackFileName, currentMonth, saveText } from './download';
import { errorMessage } from './errorMessage';

interface Line {
  key: string;
  serviceType: string;
  amount: number;
}

/**
 * The monthly chargeback of an organization by cost center or team, per service, with its total
 * and a CSV download of the same statement.
 */
export function Chargeback(props: { organization: string }) {
  const { organization } = props;
  const api = useApi(costsApiRef);
  const alertApi = useApi(alertApiRef);
  const [month, setMonth] = useState(currentMonth());
  const [by, setBy] = useState<ChargebackBy>('costCenter');
  const [downloading, setDownloading] = useState(false);
  const validMonth = /^\d{4}-(0[1-9]|1[0-2])$/.test(month);
  const { value, loading, error } = useAsync(
    async () =>
      validMonth ? api.getChargeback({ organization, month, by }) : undefined,
    [api, organization, month, by, validMonth],
  );

  const download = async () => {
    setDownloading(true);
    try {
      const csv = await api.getChargebackCsv({ organization, month, by });
      saveText(csv, chargebackFileName(organization, month, by));
    } catch (e) {
      alertApi.post({
        message: `The chargeback CSV could not be downloaded: ${errorMessage(
          e,
        )}`,
        severity: 'error',
      });
    } finally {
      setDownloading(false);
    }
  };

  const currency = value?.currency ?? 'USD';
  const columns: TableColumn<Line>[] = [
    { title: by === 'team' ? 'Team' : 'Cost center', field: 'key' },
    { title: 'Service', field: 'serviceType' },
    {
      title: `Amount (${currency})`,
      align: 'right',
      render: line => formatCost(line.amount, currency),
    },
  ];

  let body;
  if (!validMonth) {
    body = <Typography>Pick a month to see its chargeback.</Typography>;
  } else if (loading) body = <Progress />;
  else if (error) {
    body = (
      <ApiErrorPanel
        error={error}
        resource="The chargeback of this organization"
      />
    );
  } else if (!value || value.lines.length === 0) {
    body = <Typography>No spend was recorded in {month}.</Typography>;
  } else {
    body = (
      <>
        <Table<Line>
          options={{
            paging: false,
            search: false,
            toolbar: false,
            padding: 'dense',
          }}
          columns={columns}
          data={value.lines}
        />
        <Typography variant="subtitle1" align="right" style={{ marginTop: 8 }}>
          Total {formatCost(value.total, currency)}
        </Typography>
      </>
    );
  }

  return (
    <InfoCard
      title="Chargeback"
      subheader="What each cost center or team is charged for a month"
    >
      <Box
        display="flex"
        style={{ gap: 16 }}
        marginBottom={2}
        flexWrap="wrap"
        alignItems="center"
      >
        <TextField
          id="chargeback-month"
          label="Month"
          type="month"
          size="small"
          variant="outlined"
          value={month}
          onChange={e => setMonth(e.target.value)}
          InputLabelProps={{ shrink: true }}
          inputProps={{ max: currentMonth() }}
        />
        <TextField
          id="chargeback-by"
          select
          label="By"
          size="small"
          variant="outlined"
          value={by}
          onChange={e => setBy(e.target.value as ChargebackBy)}
          style={{ minWidth: 160 }}
        >
          <MenuItem value="costCenter">Cost center</MenuItem>
          <MenuItem value="team">Team</MenuItem>
        </TextField>
        <Button
          variant="outlined"
          color="primary"
          startIcon={<GetAppIcon />}
          disabled={!validMonth || downloading || Boolean(error)}
          onClick={download}
        >
          Download CSV
        </Button>
      </Box>
      {body}
    </InfoCard>
  );
}
