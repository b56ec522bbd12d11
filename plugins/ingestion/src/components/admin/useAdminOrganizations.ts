import { useApi } from '@backstage/frontend-plugin-api';
import type { OrganizationSummary } from '@ingestion-for-backstage/plugin-ingestion-common';
import useAsync from 'react-use/esm/useAsync';
import { ingestionApiRef } from '../../api/IngestionApi';

/**
 * The organizations the signed-in user administers: those where the backend reports the admin
 * role (platform admins are admins of every organization). Nobody else's are ever listed.
 */
export function useAdminOrganizations(): {
  loading: boolean;
  error?: Error;
  organizations: OrganizationSummary[];
} {
  const api = useApi(ingestionApiRef);
  const { value, loading, error } = useAsync(
    () => api.listOrganizations(),
    [api],
  );
  return {
    loading,
    error,
    organizations: (value?.items ?? []).filter(o => o.roles.includes('admin')),
  };
}
