import { useSearchParams } from 'react-router-dom';
import { HeaderLabel } from '@backstage/core-components';
import type { OrganizationSummary } from '@ingestion-for-backstage/plugin-ingestion-common';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import { OrganizationPage } from '../common/OrganizationPage';
import { useOrganizationChoice } from '../common/useOrganizationChoice';
import { isAdmin } from './useAdminOrganizations';
import { AuditTab } from './audit/AuditTab';
import { ConnectionsTab } from './connections/ConnectionsTab';
import { MembersTab } from './MembersTab';
import { QuotasTab } from './QuotasTab';

const TABS = [
  { id: 'members', label: 'Members and roles' },
  { id: 'connections', label: 'Connections' },
  { id: 'quotas', label: 'Quotas and usage' },
  { id: 'audit', label: 'Audit log' },
] as const;
type TabId = (typeof TABS)[number]['id'];

function Console(props: { organization: OrganizationSummary; tab: TabId }) {
  const { organization, tab } = props;
  const id = organization.id;
  return (
    <>
      {tab === 'members' && <MembersTab organization={id} />}
      {tab === 'connections' && <ConnectionsTab organization={id} />}
      {tab === 'quotas' && <QuotasTab organization={id} />}
      {tab === 'audit' && <AuditTab organization={id} />}
    </>
  );
}

/**
 * The admin console (`/ingestion/admin?organization=&tab=`): members and roles, connections,
 * quotas and usage, and the audit log of one organization. The switcher lists only the
 * organizations the user administers; any other organization reads "not found or not yours",
 * the same whether it exists or not. The backend checks every call again.
 */
export function AdminPage() {
  const [params, setParams] = useSearchParams();
  const choice = useOrganizationChoice(isAdmin);
  const { organization } = choice;
  const requestedTab = params.get('tab');
  const tab: TabId = TABS.some(t => t.id === requestedTab)
    ? (requestedTab as TabId)
    : 'members';
  const selectTab = (next: TabId) =>
    setParams(
      { organization: organization?.id ?? '', tab: next },
      { replace: true },
    );
  return (
    <OrganizationPage
      title="Admin console"
      type="Ingestion"
      subtitle="Members, connections, quotas and audit log of the organizations you administer"
      switcherId="admin-console-organization"
      choice={choice}
      headerActions={
        organization && (
          <HeaderLabel label="Engine" value={organization.engine} />
        )
      }
      empty={{
        title: 'You do not administer any organization',
        description:
          'The admin console is for the admins of an organization (and platform admins). Ask an admin of your organization if you need something changed.',
      }}
      notFound={requested =>
        `Organization '${requested}' does not exist or you are not one of its admins.`
      }
    >
      {chosen => (
        <>
          <Tabs
            value={tab}
            onChange={(_, next: TabId) => selectTab(next)}
            indicatorColor="primary"
            style={{ marginBottom: 24 }}
          >
            {TABS.map(t => (
              <Tab key={t.id} value={t.id} label={t.label} />
            ))}
          </Tabs>
          <Console organization={chosen} tab={tab} />
        </>
      )}
    </OrganizationPage>
  );
}
