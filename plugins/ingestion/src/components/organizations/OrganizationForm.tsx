import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useState, type FormEvent } from 'react';
import type { OrganizationRecord } from '../../api/OrganizationsApi';
import { errorMessage } from '../costs/errorMessage';
import {
  emptyForm,
  formOf,
  problemsByField,
  QUOTA_FIELDS,
  ROLES,
  type FormState,
} from './formState';

/**
 * Create or edit an organization. The backend checks everything and its 400 names each field
 * it refuses (`roles.admin[0]: …`): the message is shown as it comes above the form, and each
 * problem under the field it is about.
 */
export function OrganizationForm(props: {
  /** The organization edited; absent to create one. */
  organization?: OrganizationRecord;
  onSubmit: (form: FormState) => Promise<void>;
  onClose: () => void;
}) {
  const { organization, onSubmit, onClose } = props;
  const [form, setForm] = useState<FormState>(
    organization ? formOf(organization) : emptyForm,
  );
  const [error, setError] = useState<string>();
  const fieldErrors = error ? problemsByField(error) : {};
  /** A field's error state, its problem in place of its help text when it has one. */
  const problem = (field: string, helperText?: string) => ({
    error: Boolean(fieldErrors[field]),
    helperText: fieldErrors[field] ?? helperText,
  });
  const [saving, setSaving] = useState(false);
  const set = (patch: Partial<FormState>) => setForm(f => ({ ...f, ...patch }));
  const text = (
    key: Exclude<keyof FormState, 'roles' | 'quotas'>,
    label: string,
    extra: Record<string, unknown> = {},
  ) => (
    <TextField
      id={`organization-${key}`}
      label={label}
      value={form[key]}
      onChange={e => set({ [key]: e.target.value } as Partial<FormState>)}
      fullWidth
      margin="dense"
      variant="outlined"
      {...extra}
      {...problem(key, extra.helperText as string | undefined)}
    />
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(undefined);
    try {
      await onSubmit(form);
    } catch (e) {
      setError(errorMessage(e));
      setSaving(false);
    }
  };

  return (
    <Dialog
      open
      onClose={onClose}
      maxWidth="md"
      fullWidth
      aria-labelledby="organization-form-title"
    >
      <form onSubmit={submit} noValidate>
        <DialogTitle id="organization-form-title">
          {organization ? `Edit ${organization.name}` : 'New organization'}
        </DialogTitle>
        <DialogContent>
          {error && (
            <Typography color="error" role="alert" gutterBottom>
              {error}
            </Typography>
          )}
          <Typography variant="subtitle2">Identity</Typography>
          <Grid container spacing={2}>
            <Grid item xs={12} sm={4}>
              {text('id', 'Id', {
                required: true,
                disabled: Boolean(organization),
                helperText:
                  'Lower-case letters, digits and dashes; never reused',
              })}
            </Grid>
            <Grid item xs={12} sm={4}>
              {text('name', 'Name', { required: true })}
            </Grid>
            <Grid item xs={12} sm={4}>
              {text('costCenter', 'Cost center', { required: true })}
            </Grid>
            <Grid item xs={12}>
              {text('description', 'Description', { multiline: true })}
            </Grid>
            <Grid item xs={12} sm={4}>
              {text('environment', 'Environment', {
                select: true,
                children: ['production', 'staging', 'development'].map(e => (
                  <MenuItem key={e} value={e}>
                    {e}
                  </MenuItem>
                )),
              })}
            </Grid>
            <Grid item xs={12} sm={4}>
              {text('project', 'Project (cost tag)')}
            </Grid>
            <Grid item xs={12} sm={4}>
              {text('ownerGroup', 'Owner group', {
                required: true,
                placeholder: 'group:default/marketing',
              })}
            </Grid>
          </Grid>

          <Typography variant="subtitle2">Role groups</Typography>
          <Grid container spacing={2}>
            {ROLES.map(role => (
              <Grid item xs={12} sm={6} md={3} key={role}>
                <TextField
                  id={`organization-role-${role}`}
                  label={`${role[0].toLocaleUpperCase('en-US')}${role.slice(
                    1,
                  )} groups`}
                  {...problem(`role.${role}`, 'One group ref per line')}
                  value={form.roles[role]}
                  onChange={e =>
                    set({ roles: { ...form.roles, [role]: e.target.value } })
                  }
                  multiline
                  minRows={2}
                  fullWidth
                  margin="dense"
                  variant="outlined"
                />
              </Grid>
            ))}
          </Grid>

          <Typography variant="subtitle2">Engine and storage</Typography>
          <Grid container spacing={2}>
            <Grid item xs={12} sm={4}>
              {text('engine', 'Engine', {
                select: true,
                children: [
                  <MenuItem key="local" value="local">
                    local (DuckDB)
                  </MenuItem>,
                  <MenuItem key="databricks" value="databricks">
                    databricks
                  </MenuItem>,
                ],
              })}
            </Grid>
            {form.engine === 'databricks' && (
              <>
                <Grid item xs={12} sm={4}>
                  {text('databricksHost', 'Workspace URL', {
                    required: true,
                    placeholder: 'https://example.cloud.databricks.com',
                    helperText: 'The token stays in app-config',
                  })}
                </Grid>
                <Grid item xs={12} sm={4}>
                  {text('databricksWorkspaceId', 'Workspace id')}
                </Grid>
              </>
            )}
            <Grid item xs={12} sm={8}>
              {text('storage', 'Storage root', {
                required: true,
                placeholder: 's3://bucket/prefix or a local folder',
              })}
            </Grid>
            <Grid item xs={12} sm={4}>
              {text('icebergCatalog', 'Iceberg catalog', {
                placeholder: '<id>_catalog',
              })}
            </Grid>
          </Grid>

          <Typography variant="subtitle2">Quotas and budget</Typography>
          <Grid container spacing={2}>
            {QUOTA_FIELDS.map(([section, key, label, unit]) => (
              <Grid item xs={6} sm={3} key={`${section}.${key}`}>
                <TextField
                  id={`organization-quota-${key}`}
                  label={`${label} (${unit})`}
                  {...problem(`quota.${section}.${key}`)}
                  type="number"
                  value={form.quotas[`${section}.${key}`] ?? ''}
                  placeholder="default"
                  onChange={e =>
                    set({
                      quotas: {
                        ...form.quotas,
                        [`${section}.${key}`]: e.target.value,
                      },
                    })
                  }
                  fullWidth
                  margin="dense"
                  variant="outlined"
                />
              </Grid>
            ))}
            <Grid item xs={6} sm={3}>
              {text('budgetMonthly', 'Monthly budget (USD)', {
                type: 'number',
              })}
            </Grid>
          </Grid>

          <Typography variant="subtitle2">Egress allow-list</Typography>
          {text('egress', 'Private destinations', {
            multiline: true,
            minRows: 2,
            helperText:
              'One per line: host, *.domain or CIDR, then ports (e.g. "db.internal 5432")',
          })}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={saving}>
            Cancel
          </Button>
          <Button
            type="submit"
            color="primary"
            variant="contained"
            disabled={saving}
          >
            {organization ? 'Save' : 'Create'}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
