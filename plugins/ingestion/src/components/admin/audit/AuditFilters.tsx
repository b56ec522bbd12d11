import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useState, type FormEvent } from 'react';
import type { AuditOutcome, AuditQuery } from '../../../api/AdminApi';

/** The filters as typed: times are `datetime-local` values in the browser's time zone. */
export interface AuditFilterValues {
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  outcome: '' | AuditOutcome;
  from: string;
  to: string;
}

export const NO_FILTERS: AuditFilterValues = {
  actor: '',
  action: '',
  targetType: '',
  targetId: '',
  outcome: '',
  from: '',
  to: '',
};

/** The server query of the filters: empty ones left out, local times as ISO 8601 UTC. */
export function auditQueryOf(
  organization: string,
  values: AuditFilterValues,
): AuditQuery {
  const time = (local: string) =>
    local ? new Date(local).toISOString() : undefined;
  const text = (value: string) => value.trim() || undefined;
  return {
    organization,
    actor: text(values.actor),
    action: text(values.action),
    targetType: text(values.targetType),
    targetId: text(values.targetId),
    outcome: values.outcome || undefined,
    from: time(values.from),
    to: time(values.to),
  };
}

const TEXT_FILTERS: Array<{
  name: 'actor' | 'action' | 'targetType' | 'targetId';
  label: string;
  placeholder: string;
}> = [
  { name: 'actor', label: 'Actor', placeholder: 'user:default/finance-admin' },
  { name: 'action', label: 'Action', placeholder: 'connection.rotate' },
  { name: 'targetType', label: 'Resource type', placeholder: 'connection' },
  { name: 'targetId', label: 'Resource id', placeholder: 'an id' },
];

/** The audit log's filters; applied together on submit, so one change is one server query. */
export function AuditFilters(props: {
  initial: AuditFilterValues;
  onApply(values: AuditFilterValues): void;
}) {
  const [values, setValues] = useState(props.initial);
  const set = (name: keyof AuditFilterValues, value: string) =>
    setValues(current => ({ ...current, [name]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onApply(values);
  };
  return (
    <form onSubmit={submit} aria-label="Audit filters">
      <Grid container spacing={2} alignItems="center">
        {TEXT_FILTERS.map(filter => (
          <Grid item xs={12} sm={6} md={3} key={filter.name}>
            <TextField
              id={`audit-${filter.name}`}
              label={filter.label}
              placeholder={filter.placeholder}
              value={values[filter.name]}
              onChange={e => set(filter.name, e.target.value)}
              fullWidth
              size="small"
              variant="outlined"
            />
          </Grid>
        ))}
        <Grid item xs={12} sm={4} md={3}>
          <TextField
            id="audit-outcome"
            label="Outcome"
            select
            value={values.outcome}
            onChange={e => set('outcome', e.target.value)}
            fullWidth
            size="small"
            variant="outlined"
          >
            <MenuItem value="">any</MenuItem>
            <MenuItem value="success">success</MenuItem>
            <MenuItem value="denied">denied</MenuItem>
            <MenuItem value="failure">failure</MenuItem>
          </TextField>
        </Grid>
        <Grid item xs={12} sm={4} md={3}>
          <TextField
            id="audit-from"
            label="From"
            type="datetime-local"
            value={values.from}
            onChange={e => set('from', e.target.value)}
            InputLabelProps={{ shrink: true }}
            fullWidth
            size="small"
            variant="outlined"
          />
        </Grid>
        <Grid item xs={12} sm={4} md={3}>
          <TextField
            id="audit-to"
            label="To"
            type="datetime-local"
            value={values.to}
            onChange={e => set('to', e.target.value)}
            InputLabelProps={{ shrink: true }}
            fullWidth
            size="small"
            variant="outlined"
          />
        </Grid>
        <Grid item xs={12} md={3} style={{ display: 'flex', gap: 8 }}>
          <Button type="submit" variant="contained" color="primary">
            Apply
          </Button>
          <Button
            onClick={() => {
              setValues(NO_FILTERS);
              props.onApply(NO_FILTERS);
            }}
          >
            Clear
          </Button>
        </Grid>
      </Grid>
    </form>
  );
}
