import { useSearchParams } from 'react-router-dom';
import {
  Content,
  EmptyState,
  Header,
  HeaderLabel,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import type { OrganizationSummary } from '@ingestion-for-backstage/plugin-ingestion-common';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import { OrganizationSwitcher } from '../common/OrganizationSwitcher';
import { AuditTab } from './audit/AuditTab';
import { ConnectionsTab } from './connections/ConnectionsTab';
import { MembersTab } from './MembersTab';
import { QuotasTab } from './QuotasTab';
import { useAdminOrganizations } from './useAdminOrganizations';

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
  const { organizations, loading, error } = useAdminOrganizations();
  const requested = params.get('organization');
  const organization = requested
    ? organizations.find(o => o.id === requested)
    : organizations[0];
  const requestedTab = params.get('tab');
  const tab: TabId = TABS.some(t => t.id === requestedTab)
    ? (requestedTab as TabId)
    : 'members';
  const select = (next: { organization?: string; tab?: TabId }) =>
    setParams(
      {
        organization: next.organization ?? organization?.id ?? '',
        tab: next.tab ?? tab,
      },
      { replace: true },
    );

  let body;
  if (loading) {
    body = <Progress />;
  } else if (error) {
    body = <ResponseErrorPanel error={error} />;
  } else if (organizations.length === 0) {
    body = (
      <EmptyState
        missing="info"
        title="You do not administer any organization"
        description="The admin console is for the admins of an organization (and platform admins). Ask an admin of your organization if you need something changed."
      />
    );
  } else if (!organization) {
    body = (
      <EmptyState
        missing="data"
        title="Not found"
        description={`Organization '${requested}' does not exist or you are not one of its admins.`}
      />
    );
  } else {
    body = (
      <>
        <Tabs
          value={tab}
          onChange={(_, next: TabId) => select({ tab: next })}
          indicatorColor="primary"
          style={{ marginBottom: 24 }}
        >
          {TABS.map(t => (
            <Tab key={t.id} value={t.id} label={t.label} />
          ))}
        </Tabs>
        <Console organization={organization} tab={tab} />
      </>
    );
  }

  return (
    <Page themeId="tool">
      <Header
        title="Admin console"
        type="Ingestion"
        subtitle={
          organization
            ? `${organization.name} · cost center ${organization.costCenter} · ${organization.environment}`
            : 'Members, connections, quotas and audit log of the organizations you administer'
        }
      >
        {organizations.length > 0 && (
          <OrganizationSwitcher
            id="admin-console-organization"
            organizations={organizations}
            value={organization?.id}
            onChange={id => select({ organization: id })}
          />
        )}
        {organization && (
          <HeaderLabel label="Engine" value={organization.engine} />
        )}
      </Header>
      <Content>{body}</Content>
    </Page>
  );
}
