import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type { OrgRole } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import FormControl from '@material-ui/core/FormControl';
import FormHelperText from '@material-ui/core/FormHelperText';
import InputLabel from '@material-ui/core/InputLabel';
import ListItemText from '@material-ui/core/ListItemText';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import { useEffect, useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { ingestionApiRef } from '../api/IngestionApi';
import {
  DEFAULT_PICKER_ROLES,
  describeRemaining,
  organizationChoices,
} from './organizationChoices';

/** `ui:options` of the organization picker. */
export interface OrganizationPickerUiOptions {
  /** Roles the user must hold in an organization for it to be listed; default engineer and admin. */
  roles?: OrgRole[];
}

/**
 * The `IngestionOrganizationPicker` field: the organizations where the user is an engineer or admin
 * (or holds one of `ui:options.roles`), each with what is left of its quotas. Returns the
 * organization id. With a single organization it is chosen already.
 */
export function OrganizationPicker(
  props: FieldExtensionComponentProps<string, OrganizationPickerUiOptions>,
) {
  const {
    onChange,
    formData,
    required,
    schema,
    uiSchema,
    rawErrors,
    idSchema,
    disabled,
  } = props;
  const api = useApi(ingestionApiRef);
  const roles = uiSchema?.['ui:options']?.roles ?? DEFAULT_PICKER_ROLES;
  const { value, loading, error } = useAsync(
    () => api.listOrganizations(),
    [api],
  );
  const choices = useMemo(
    () => organizationChoices(value?.items ?? [], roles),
    [value, roles],
  );

  useEffect(() => {
    if (!formData && choices.length === 1) {
      onChange(choices[0].id);
    }
  }, [choices, formData, onChange]);

  const id = idSchema?.$id ?? 'ingestion-organization-picker';
  const title = schema.title ?? 'Organization';
  if (loading) {
    return <Progress />;
  }
  let helperText: string | undefined = schema.description;
  if (error) {
    helperText = `Could not load your organizations: ${error.message}`;
  } else if (choices.length === 0) {
    helperText = `You are not ${roles
      .map(role =>
        role === 'admin' || role === 'engineer' ? `an ${role}` : `a ${role}`,
      )
      .join(
        ' or ',
      )} in any organization. Ask an admin of your organization for the role.`;
  }
  const selected = choices.find(choice => choice.id === formData);

  return (
    <FormControl
      fullWidth
      margin="normal"
      required={required}
      disabled={disabled || choices.length === 0}
      error={!!error || choices.length === 0 || (rawErrors?.length ?? 0) > 0}
    >
      <InputLabel id={`${id}-label`}>{title}</InputLabel>
      <Select
        labelId={`${id}-label`}
        id={id}
        value={formData ?? ''}
        onChange={event => onChange(String(event.target.value))}
        renderValue={current =>
          choices.find(choice => choice.id === current)?.name ?? String(current)
        }
      >
        {choices.map(choice => (
          <MenuItem key={choice.id} value={choice.id}>
            <ListItemText
              primary={`${choice.name} (${choice.roles.join(', ')}, ${
                choice.engine
              } engine)`}
              secondary={`Left: ${describeRemaining(choice)}${
                choice.exhausted ? ' (a quota is used up)' : ''
              }`}
            />
          </MenuItem>
        ))}
      </Select>
      {selected && (
        <FormHelperText>Left now: {describeRemaining(selected)}</FormHelperText>
      )}
      {helperText && <FormHelperText>{helperText}</FormHelperText>}
    </FormControl>
  );
}
