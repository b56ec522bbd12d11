import {
  Progress,
  Table,
  WarningPanel,
  type TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  catalogApiRef,
  EntityRefLink,
  EntityRefLinks,
  getEntityRelations,
} from '@backstage/plugin-catalog-react';
import type { OrgRole } from '@ingestion-for-backstage/plugin-ingestion-common';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { adminApiRef } from '../../api/AdminApi';
import { ApiErrorPanel } from '../common/ApiErrorPanel';

/** One role group with its members as the catalog knows them. */
interface RoleRow {
  id: string;
  role: OrgRole | 'platform admin';
  group: string;
  /** Undefined when the catalog has no such group. */
  members?: ReturnType<typeof getEntityRelations>;
}

const columns: TableColumn<RoleRow>[] = [
  { title: 'Role', field: 'role', width: '15%' },
  {
    title: 'Group',
    width: '25%',
    render: row => <EntityRefLink entityRef={row.group} defaultKind="group" />,
  },
  {
    title: 'Members',
    render: row => {
      if (!row.members) {
        return (
          <Typography variant="body2" color="textSecondary">
            Not in the catalog
          </Typography>
        );
      }
      return row.members.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No members
        </Typography>
      ) : (
        <EntityRefLinks entityRefs={row.members} defaultKind="user" />
      );
    },
  },
];

/**
 * Who holds which role in the organization: the role groups the backend is configured with, and
 * their members from the catalog. Read-only: membership comes from the identity provider.
 */
export function MembersTab(props: { organization: string }) {
  const { organization } = props;
  const admin = useApi(adminApiRef);
  const catalog = useApi(catalogApiRef);
  const { value, loading, error } = useAsync(async () => {
    const groups = await admin.getRoleGroups(organization);
    const assignments: Array<{ role: RoleRow['role']; group: string }> = [
      ...Object.entries(groups.roles).flatMap(([role, refs]) =>
        refs.map(group => ({ role: role as OrgRole, group })),
      ),
      ...groups.platformAdmins.map(group => ({
        role: 'platform admin' as const,
        group,
      })),
    ];
    const refs = [...new Set(assignments.map(a => a.group))];
    const { items } = refs.length
      ? await catalog.getEntitiesByRefs({
          entityRefs: refs,
          fields: ['kind', 'metadata', 'relations'],
        })
      : { items: [] };
    const byRef = new Map(refs.map((ref, index) => [ref, items[index]]));
    return assignments.map(
      (a, index): RoleRow => ({
        id: `${index}`,
        ...a,
        members: byRef.get(a.group)
          ? getEntityRelations(byRef.get(a.group), 'hasMember')
          : undefined,
      }),
    );
  }, [admin, catalog, organization]);

  if (loading) return <Progress />;
  if (error) {
    return (
      <ApiErrorPanel
        error={error}
        resource="The members of this organization"
      />
    );
  }
  const rows = value ?? [];
  return (
    <>
      <Typography variant="body1" paragraph>
        Roles come from membership in these catalog groups, which the identity
        provider maintains: to give someone a role, add them to the group there.
        This page is read-only.
      </Typography>
      {rows.some(row => !row.members) && (
        <WarningPanel
          title="Some role groups are not in the catalog"
          message="Nobody holds their role until the identity provider's groups are ingested into the catalog."
        />
      )}
      <Table<RoleRow>
        title="Members and roles"
        options={{ paging: false, search: false, padding: 'dense' }}
        columns={columns}
        data={rows}
        emptyContent={
          <Typography style={{ padding: 16 }}>
            No role groups are configured for this organization.
          </Typography>
        }
      />
    </>
  );
}
