import { useApi } from '@backstage/frontend-plugin-api';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { CONNECTION_TYPES } from '@ingestion-for-backstage/plugin-ingestion-common';
import { useState, type FormEvent } from 'react';
import {
  adminApiRef,
  type Connection,
  type ConnectionType,
} from '../../../api/AdminApi';
import {
  CONNECTION_FIELDS,
  connectionBody,
  secretLabel,
  serverFieldErrors,
  serverMessage,
  validateConnection,
  type FieldSpec,
  type FormValues,
} from './connectionFields';

function Field(props: {
  field: FieldSpec;
  value: string | boolean | undefined;
  error?: string;
  onChange(value: string | boolean): void;
}) {
  const { field, value, error, onChange } = props;
  if (field.kind === 'boolean') {
    return (
      <FormControlLabel
        control={
          <Checkbox
            checked={value === true}
            onChange={e => onChange(e.target.checked)}
            name={field.name}
          />
        }
        label={field.label}
      />
    );
  }
  return (
    <TextField
      id={`connection-${field.name}`}
      name={field.name}
      label={field.label}
      required={field.required}
      select={field.kind === 'select'}
      type={field.kind === 'number' ? 'number' : 'text'}
      value={value ?? ''}
      onChange={e => onChange(e.target.value)}
      error={Boolean(error)}
      helperText={error ?? field.helperText}
      fullWidth
      margin="dense"
    >
      {field.kind === 'select' && <MenuItem value="">(default)</MenuItem>}
      {field.options?.map(option => (
        <MenuItem key={option} value={option}>
          {option}
        </MenuItem>
      ))}
    </TextField>
  );
}

/**
 * Creates a connection: its type's settings and its secret. The secret is typed into a password
 * input, sent once, and never shown again (the API does not return it). Problems are shown on
 * their field, from the browser's checks first and then from the server's 400.
 */
export function CreateConnectionDialog(props: {
  organization: string;
  open: boolean;
  onClose(): void;
  onCreated(connection: Connection): void;
}) {
  const { organization, open, onClose, onCreated } = props;
  const api = useApi(adminApiRef);
  const [type, setType] = useState<ConnectionType>('mariadb');
  const [values, setValues] = useState<FormValues>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const fields = CONNECTION_FIELDS[type];

  const close = () => {
    setValues({});
    setErrors({});
    onClose();
  };
  const set = (name: string, value: string | boolean) =>
    setValues(current => ({ ...current, [name]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = validateConnection(type, values);
    setErrors(problems);
    if (Object.keys(problems).length) return;
    setBusy(true);
    try {
      const created = await api.createConnection(
        connectionBody(organization, type, values),
      );
      setValues({});
      onCreated(created);
    } catch (e) {
      setErrors(
        serverFieldErrors(serverMessage(e), [
          'name',
          'password',
          ...fields.map(f => f.name),
        ]),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} onClose={close} fullWidth maxWidth="sm">
      <form onSubmit={submit} noValidate aria-label="New connection">
        <DialogTitle>New connection</DialogTitle>
        <DialogContent>
          {errors[''] && (
            <Typography role="alert" color="error" variant="body2">
              {errors['']}
            </Typography>
          )}
          <TextField
            id="connection-name"
            name="name"
            label="Name"
            required
            value={values.name ?? ''}
            onChange={e => set('name', e.target.value)}
            error={Boolean(errors.name)}
            helperText={
              errors.name ?? 'How pipelines refer to it, e.g. finance-db'
            }
            fullWidth
            margin="dense"
          />
          <TextField
            id="connection-type"
            label="Type"
            select
            value={type}
            onChange={e => {
              setType(e.target.value as ConnectionType);
              setErrors({});
            }}
            fullWidth
            margin="dense"
          >
            {CONNECTION_TYPES.map(t => (
              <MenuItem key={t} value={t}>
                {t}
              </MenuItem>
            ))}
          </TextField>
          {fields.map(field => (
            <Field
              key={`${type}-${field.name}`}
              field={field}
              value={values[field.name]}
              error={errors[field.name]}
              onChange={value => set(field.name, value)}
            />
          ))}
          <TextField
            id="connection-password"
            name="password"
            label={secretLabel(type)}
            type="password"
            autoComplete="new-password"
            required
            value={values.password ?? ''}
            onChange={e => set('password', e.target.value)}
            error={Boolean(errors.password)}
            helperText={
              errors.password ??
              'Stored encrypted and never shown again; rotate it to replace it'
            }
            fullWidth
            margin="dense"
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={close} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" color="primary" disabled={busy}>
            Create
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
