import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';

/** An organization the switcher offers. */
export interface SwitchableOrganization {
  id: string;
  name: string;
}

/**
 * The organization switcher of the Ingestion pages' headers (home, spend, admin console): a
 * select over the organizations the page offers, on a white field whose label stays readable on
 * the coloured header.
 */
export function OrganizationSwitcher(props: {
  /** The field's id: each page's own, so its label points at it. */
  id: string;
  organizations: readonly SwitchableOrganization[];
  value?: string;
  onChange(id: string): void;
}) {
  return (
    <TextField
      id={props.id}
      select
      label="Organization"
      variant="outlined"
      size="small"
      value={props.value ?? ''}
      onChange={e => props.onChange(e.target.value)}
      style={{ minWidth: 200, background: 'white', borderRadius: 4 }}
      // The label sits on the field's border, over the coloured header.
      InputLabelProps={{
        style: { background: 'white', padding: '0 4px', borderRadius: 4 },
      }}
    >
      {props.organizations.map(o => (
        <MenuItem key={o.id} value={o.id}>
          {o.name}
        </MenuItem>
      ))}
    </TextField>
  );
}
