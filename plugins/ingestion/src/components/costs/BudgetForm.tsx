import { useApi } from '@backstage/frontend-plugin-api';
import type { BudgetStatus } from '@ingestion-for-backstage/plugin-ingestion-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { costsApiRef } from '../../api/CostsApi';
import { errorMessage } from './errorMessage';

type Field = 'team' | 'monthly' | 'thresholds';

/**
 * The server's 400 message (`monthly: must be …; thresholds[1]: …`) split per form field by its
 * path; problems of no field of the form stay in `other`.
 */
export function fieldProblems(message: string): {
  fields: Partial<Record<Field, string>>;
  other: string[];
} {
  const fields: Partial<Record<Field, string>> = {};
  const other: string[] = [];
  for (const problem of message.split('; ')) {
    const field = (['team', 'monthly', 'thresholds'] as Field[]).find(
      f => problem.startsWith(`${f}:`) || problem.startsWith(`${f}[`),
    );
    if (field)
      fields[field] = fields[field] ? `${fields[field]}; ${problem}` : problem;
    else other.push(problem);
  }
  return { fields, other };
}

/** `50, 80, 100` (percent) → `[0.5, 0.8, 1]`; undefined when left empty (the configured defaults). */
export function parseThresholds(text: string): number[] | undefined {
  const parts = text
    .split(',')
    .map(p => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return undefined;
  return parts.map(p => Number(p.replace(/%$/, '')) / 100);
}

/**
 * Sets the monthly budget of the organization or one of its teams (`PUT /v1/budgets`, admins).
 * The server validates; its problems show under the field they name.
 */
export function BudgetForm(props: {
  organization: string;
  currency: string;
  /** The budget being edited; a new one when absent. */
  budget?: BudgetStatus;
  onClose(saved: boolean): void;
}) {
  const { organization, budget } = props;
  const api = useApi(costsApiRef);
  const [team, setTeam] = useState(budget?.team ?? '');
  const [monthly, setMonthly] = useState(budget ? String(budget.monthly) : '');
  const [thresholds, setThresholds] = useState(
    budget ? budget.thresholds.map(t => Math.round(t * 100)).join(', ') : '',
  );
  const [problems, setProblems] = useState<ReturnType<typeof fieldProblems>>({
    fields: {},
    other: [],
  });
  const [saving, setSaving] = useState(false);

  const save = async () => {
    setSaving(true);
    setProblems({ fields: {}, other: [] });
    try {
      await api.putBudget({
        organization,
        ...(team.trim() ? { team: team.trim() } : {}),
        monthly: Number(monthly),
        ...(parseThresholds(thresholds)
          ? { thresholds: parseThresholds(thresholds) }
          : {}),
      });
      props.onClose(true);
    } catch (e) {
      setProblems(fieldProblems(errorMessage(e)));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog
      open
      onClose={() => props.onClose(false)}
      aria-labelledby="budget-form-title"
    >
      <DialogTitle id="budget-form-title">
        {budget ? 'Change the budget' : 'Set a budget'}
      </DialogTitle>
      <DialogContent>
        <TextField
          id="budget-team"
          label="Team (group ref; empty for the organization)"
          placeholder="group:default/finance-engineers"
          fullWidth
          margin="dense"
          value={team}
          disabled={Boolean(budget)}
          onChange={e => setTeam(e.target.value)}
          error={Boolean(problems.fields.team)}
          helperText={problems.fields.team}
        />
        <TextField
          id="budget-monthly"
          label={`Monthly amount (${props.currency})`}
          type="number"
          required
          fullWidth
          margin="dense"
          value={monthly}
          onChange={e => setMonthly(e.target.value)}
          error={Boolean(problems.fields.monthly)}
          helperText={problems.fields.monthly}
          inputProps={{ min: 0, step: 'any' }}
        />
        <TextField
          id="budget-thresholds"
          label="Alert thresholds (% of the budget, comma-separated)"
          placeholder="50, 80, 100"
          fullWidth
          margin="dense"
          value={thresholds}
          onChange={e => setThresholds(e.target.value)}
          error={Boolean(problems.fields.thresholds)}
          helperText={
            problems.fields.thresholds ??
            'Empty: the configured defaults. Up to 200%.'
          }
        />
        {problems.other.map(p => (
          <Typography key={p} color="error" variant="body2" role="alert">
            {p}
          </Typography>
        ))}
      </DialogContent>
      <DialogActions>
        <Button onClick={() => props.onClose(false)}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={save}
          disabled={saving || monthly.trim() === ''}
        >
          Save
        </Button>
      </DialogActions>
    </Dialog>
  );
}
