import {
  Content,
  ContentHeader,
  EmptyState,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import {
  ROLE_PERMISSIONS,
  rolesGrant,
  type OrganizationSummary,
  type OrgRole,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import Box from '@material-ui/core/Box';
import type { ReactNode } from 'react';
import { OrganizationSwitcher } from './OrganizationSwitcher';
import type { OrganizationChoice } from './useOrganizationChoice';

/** The roles whose permissions include `permission`, from the access matrix (not hard-coded). */
export const rolesGranting = (permission: string) =>
  (Object.keys(ROLE_PERMISSIONS) as OrgRole[]).filter(role =>
    rolesGrant([role], permission),
  );

/** `['a', 'b', 'c']` → `a, b or c`. */
const orList = (words: string[]) =>
  words.length > 1
    ? `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`
    : words.join('');

/** `Finance · cost center FIN-001 · production`: a page's subtitle for an organization. */
export const organizationLine = (organization: OrganizationSummary) =>
  `${organization.name} · cost center ${organization.costCenter} · ${organization.environment}`;

/**
 * An Ingestion page over one organization at a time (home, spend, admin console): the header with
 * the organization switcher, and the body's states — loading, the error, none offered, the
 * requested one not offered ("not found"), the user's roles not granting what the page shows
 * (denied), or the page's content for the chosen organization.
 */
export function OrganizationPage(props: {
  title: string;
  type?: string;
  /** The subtitle while no organization is chosen. */
  subtitle: string;
  /** The subtitle of a chosen organization; {@link organizationLine} by default. */
  describe?: (organization: OrganizationSummary) => string;
  /** The switcher field's id (each page's own). */
  switcherId: string;
  choice: OrganizationChoice;
  /** More of the header, after the switcher: labels, not a row of buttons (they wrap there). */
  headerActions?: ReactNode;
  /**
   * Buttons to related pages, at the right of a content header above the body (in every state:
   * a platform admin of no organization still gets the organizations page), with its title.
   */
  contentActions?: { title: string; actions: ReactNode };
  /** What "none offered" says. */
  empty: { title: string; description: string };
  /** What "not found" says of the requested organization. */
  notFound: (requested: string) => string;
  /** A permission the page needs in the organization, and what it is for ("see its spend"). */
  requires?: { permission: string; to: string };
  children: (organization: OrganizationSummary) => ReactNode;
}) {
  const { choice, requires } = props;
  const { organization, organizations } = choice;
  let body: ReactNode;
  if (choice.loading) {
    body = <Progress />;
  } else if (choice.error) {
    body = <ResponseErrorPanel error={choice.error} />;
  } else if (organizations.length === 0) {
    body = <EmptyState missing="info" {...props.empty} />;
  } else if (!organization) {
    body = (
      <EmptyState
        missing="data"
        title="Not found"
        description={props.notFound(choice.requested ?? '')}
      />
    );
  } else if (requires && !rolesGrant(organization.roles, requires.permission)) {
    body = (
      <WarningPanel
        severity="info"
        title={`You need the ${orList(
          rolesGranting(requires.permission),
        )} role in ${organization.name} to ${requires.to}`}
        defaultExpanded
        message={`Your roles in ${organization.name}: ${
          organization.roles.join(', ') || 'none'
        }. An admin of the organization can add you to a role group that grants it.`}
      />
    );
  } else {
    body = props.children(organization);
  }

  return (
    <Page themeId="tool">
      <Header
        title={props.title}
        type={props.type}
        subtitle={
          organization
            ? (props.describe ?? organizationLine)(organization)
            : props.subtitle
        }
      >
        {organizations.length > 0 && (
          <OrganizationSwitcher
            id={props.switcherId}
            organizations={organizations}
            value={organization?.id}
            onChange={choice.select}
          />
        )}
        {props.headerActions}
      </Header>
      <Content>
        {props.contentActions && (
          <ContentHeader title={props.contentActions.title}>
            <Box display="flex" flexWrap="wrap" style={{ gap: 8 }}>
              {props.contentActions.actions}
            </Box>
          </ContentHeader>
        )}
        {body}
      </Content>
    </Page>
  );
}
