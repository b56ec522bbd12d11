import { LinkButton } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import SettingsIcon from '@material-ui/icons/Settings';
import { adminRouteRef } from './routes';
import { useAdminOrganizations } from './useAdminOrganizations';

/**
 * A button to the admin console, for users who administer at least one organization; nothing
 * for everyone else, or when the console is not installed.
 */
export function AdminConsoleLink() {
  const adminPage = useRouteRef(adminRouteRef);
  const { organizations } = useAdminOrganizations();
  if (!adminPage || organizations.length === 0) return null;
  return (
    <LinkButton
      to={adminPage()}
      variant="contained"
      color="default"
      startIcon={<SettingsIcon />}
    >
      Admin console
    </LinkButton>
  );
}
