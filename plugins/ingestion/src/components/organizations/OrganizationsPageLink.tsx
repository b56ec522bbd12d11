import { LinkButton } from '@backstage/core-components';
import { useApiHolder, useRouteRef } from '@backstage/frontend-plugin-api';
import BusinessIcon from '@material-ui/icons/Business';
import useAsync from 'react-use/esm/useAsync';
import { organizationsApiRef } from '../../api/OrganizationsApi';
import { organizationsRouteRef } from './routes';

/**
 * A button to the organizations page, for platform admins: shown once the backend lets the user
 * read the organization directory (everyone else gets its 403 and sees nothing), and never when
 * the page or its API is not installed.
 */
export function OrganizationsPageLink() {
  const organizationsPage = useRouteRef(organizationsRouteRef);
  const api = useApiHolder().get(organizationsApiRef);
  const mounted = Boolean(organizationsPage);
  // Asked again only when the API or whether the page is mounted changes.
  const { value: platformAdmin } = useAsync(async () => {
    if (!api || !mounted) return false;
    return api.listAll().then(
      () => true,
      () => false,
    );
  }, [api, mounted]);
  if (!organizationsPage || !platformAdmin) return null;
  return (
    <LinkButton
      to={organizationsPage()}
      variant="contained"
      color="default"
      startIcon={<BusinessIcon />}
    >
      Organizations
    </LinkButton>
  );
}
