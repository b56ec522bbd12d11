import {
  InfoCard,
  Progress,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/frontend-plugin-api';
import {
  budgetManagePermission,
  type BudgetAlert,
  type BudgetStatus,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { costsApiRef } from '../../api/CostsApi';
import { ApiErrorPanel } from '../common/ApiErrorPanel';
import { formatCost, formatPercent, formatTime } from '../common/format';
import { BudgetForm } from './BudgetForm';
import { BudgetProgress } from './BudgetProgress';
import { errorMessage } from './errorMessage';
import { monthLabel } from './CostCharts';

const tableOptions = {
  paging: false,
  search: false,
  toolbar: false,
  padding: 'dense' as const,
};

const budgetName = (team?: string) => team ?? 'The organization';

function RemoveBudgetDialog(props: {
  organization: string;
  budget: BudgetStatus;
  onClose(removed: boolean): void;
}) {
  const { organization, budget } = props;
  const api = useApi(costsApiRef);
  const alertApi = useApi(alertApiRef);
  const [busy, setBusy] = useState(false);
  const remove = async () => {
    setBusy(true);
    try {
      await api.deleteBudget({
        organization,
        ...(budget.team ? { team: budget.team } : {}),
      });
      props.onClose(true);
    } catch (e) {
      alertApi.post({
        message: `The budget could not be removed: ${errorMessage(e)}`,
        severity: 'error',
      });
      setBusy(false);
    }
  };
  return (
    <Dialog open onClose={() => props.onClose(false)}>
      <DialogTitle>Remove the budget of {budgetName(budget.team)}?</DialogTitle>
      <DialogContent>
        <Typography>
          Its thresholds stop alerting.{' '}
          {budget.team
            ? 'The team has no budget afterwards.'
            : 'The budget in the organization’s configuration, if any, applies again.'}
        </Typography>
      </DialogContent>
      <DialogActions>
        <Button onClick={() => props.onClose(false)}>Cancel</Button>
        <Button color="secondary" onClick={remove} disabled={busy}>
          Remove
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function AlertHistory(props: { alerts: BudgetAlert[]; currency: string }) {
  const { currency } = props;
  const columns: TableColumn<BudgetAlert>[] = [
    { title: 'Month', render: a => monthLabel(a.month) },
    { title: 'Budget', render: a => budgetName(a.team) },
    {
      title: 'Threshold',
      render: a =>
        `${formatPercent(a.threshold)} ${
          a.kind === 'forecast' ? '(forecast)' : '(actual)'
        }`,
    },
    {
      title: 'Spend',
      render: a =>
        `${formatCost(a.amount, currency)} of ${formatCost(
          a.budget,
          currency,
        )}`,
    },
    { title: 'Raised', render: a => formatTime(a.raisedAt) },
  ];
  if (props.alerts.length === 0) {
    return (
      <Typography variant="body2">No threshold was crossed yet.</Typography>
    );
  }
  return (
    <Table<BudgetAlert>
      options={tableOptions}
      columns={columns}
      data={props.alerts}
    />
  );
}

/**
 * The organization's and its teams' budgets with this month's spend and forecast against them,
 * and the thresholds crossed. Admins (`ingestion.budget.manage`) set and remove budgets; the
 * buttons are hidden from others (the backend checks again).
 */
export function Budgets(props: { organization: string }) {
  const { organization } = props;
  const api = useApi(costsApiRef);
  const manage = usePermission({
    permission: budgetManagePermission,
    resourceRef: organization,
  });
  const [generation, setGeneration] = useState(0);
  const [editing, setEditing] = useState<BudgetStatus | 'new'>();
  const [removing, setRemoving] = useState<BudgetStatus>();
  const { value, loading, error } = useAsync(async () => {
    const [budgets, alerts] = await Promise.all([
      api.listBudgets(organization),
      api.listBudgetAlerts({ organization }),
    ]);
    return { budgets, alerts: alerts.items };
  }, [api, organization, generation]);
  const done = (changed: boolean) => {
    setEditing(undefined);
    setRemoving(undefined);
    if (changed) setGeneration(g => g + 1);
  };
  const currency = value?.budgets.currency ?? 'USD';
  const canManage = manage.allowed;

  const columns: TableColumn<BudgetStatus>[] = [
    { title: 'Budget', render: b => budgetName(b.team) },
    { title: 'Monthly', render: b => formatCost(b.monthly, currency) },
    {
      title: 'This month',
      render: b => (
        <BudgetProgress
          budget={b}
          currency={currency}
          label={`Budget of ${budgetName(b.team)} used this month`}
        />
      ),
    },
    {
      title: 'Alerts at',
      render: b => b.thresholds.map(formatPercent).join(', '),
    },
    {
      title: 'Set in',
      render: b => (b.origin === 'custom' ? 'the portal' : 'configuration'),
    },
    ...(canManage
      ? [
          {
            title: 'Actions',
            render: (b: BudgetStatus) => (
              <Box display="flex" style={{ gap: 4 }}>
                <Button
                  size="small"
                  onClick={() => setEditing(b)}
                  aria-label={`Change the budget of ${budgetName(b.team)}`}
                >
                  Change
                </Button>
                {b.origin === 'custom' && (
                  <Button
                    size="small"
                    onClick={() => setRemoving(b)}
                    aria-label={`Remove the budget of ${budgetName(b.team)}`}
                  >
                    Remove
                  </Button>
                )}
              </Box>
            ),
          },
        ]
      : []),
  ];

  let body;
  if (loading && !value) body = <Progress />;
  else if (error) {
    body = (
      <ApiErrorPanel
        error={error}
        resource="The budgets of this organization"
      />
    );
  } else {
    const items = value?.budgets.items ?? [];
    body = (
      <>
        {items.length === 0 ? (
          <Typography>
            No budget is set for this organization or its teams.
          </Typography>
        ) : (
          <Table<BudgetStatus>
            options={tableOptions}
            columns={columns}
            data={items}
          />
        )}
        <Typography variant="subtitle2" style={{ marginTop: 16 }}>
          Alert history
        </Typography>
        <AlertHistory alerts={value?.alerts ?? []} currency={currency} />
      </>
    );
  }

  return (
    <InfoCard
      title="Budgets"
      subheader={
        value ? `${monthLabel(value.budgets.month)}, ${currency}` : undefined
      }
    >
      {canManage && (
        <Box display="flex" justifyContent="flex-end" marginBottom={1}>
          <Button
            variant="outlined"
            color="primary"
            onClick={() => setEditing('new')}
          >
            Set a budget
          </Button>
        </Box>
      )}
      {body}
      {editing && (
        <BudgetForm
          organization={organization}
          currency={currency}
          budget={editing === 'new' ? undefined : editing}
          onClose={done}
        />
      )}
      {removing && (
        <RemoveBudgetDialog
          organization={organization}
          budget={removing}
          onClose={done}
        />
      )}
    </InfoCard>
  );
}
