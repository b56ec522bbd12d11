import type { PermissionsRegistryService } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  auditReadPermission,
  connectionManagePermission,
  pipelineReadPermission,
  pipelineUpdatePermission,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import { readOrganizationsConfig } from '../organizations/organizationConfig';
import { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { TEST_CONFIG } from '../__testUtils__/demoTenants';
import { isAuditedDenial } from './AuditLog';
import type { AuditRecord } from './types';

/** Group memberships as the demo users have them: `finance-viewer` → `finance-viewers`. */
const userInfo = {
  async getUserInfo(credentials: any) {
    const ref: string = credentials.principal.userEntityRef;
    const match = /\/([a-z]+)-(admin|engineer|analyst|viewer)$/.exec(ref);
    return {
      userEntityRef: ref,
      ownershipEntityRefs: [
        ref,
        ...(match ? [`group:default/${match[1]}-${match[2]}s`] : []),
      ],
    };
  },
};

function setup(
  options: { decision?: AuthorizeResult; failAudit?: boolean } = {},
) {
  const permissions = mockServices.permissions.mock({
    authorizeConditional: jest.fn(async () => [
      { result: options.decision ?? AuthorizeResult.DENY },
    ]) as any,
  });
  const permissionsRegistry = {
    getPermissionRuleset: () => ({ getRuleByName: () => undefined }),
  } as unknown as PermissionsRegistryService;
  const recorded: AuditRecord[] = [];
  const audit = {
    record: jest.fn(async (record: AuditRecord) => {
      if (options.failAudit) {
        throw new Error('audit store down');
      }
      recorded.push(record);
    }),
  };
  const authorizer = new IngestionAuthorizer({
    permissions,
    permissionsRegistry,
    userInfo,
    directory: new OrganizationDirectory(
      readOrganizationsConfig(mockServices.rootConfig({ data: TEST_CONFIG })),
    ),
    audit,
  });
  return { authorizer, recorded, audit };
}

const user = (name: string) => mockCredentials.user(`user:default/${name}`);

describe('IngestionAuthorizer denials in the audit log', () => {
  it('records a 403 when a member lacks the permission (a viewer trying an admin action)', async () => {
    const { authorizer, recorded } = setup();
    const credentials = user('finance-viewer');
    const error = await authorizer
      .authorizeOrganization(credentials, connectionManagePermission, 'finance')
      .catch(e => e);
    expect(error.name).toBe('NotAllowedError');
    expect(isAuditedDenial(error)).toBe(true);
    expect(recorded).toEqual([
      {
        credentials,
        organizationId: 'finance',
        action: 'connection.manage',
        targetType: 'connection',
        outcome: 'denied',
        reason:
          "Your roles in organization 'finance' do not allow ingestion.connection.manage",
        meta: { permission: 'ingestion.connection.manage', status: 403 },
        persist: true,
      },
    ]);
  });

  it('records a 404 for a caller outside the organization, in that organization', async () => {
    const { authorizer, recorded } = setup();
    const error = await authorizer
      .authorizeOrganization(
        user('retail-admin'),
        auditReadPermission,
        'finance',
      )
      .catch(e => e);
    expect(error.name).toBe('NotFoundError');
    expect(recorded).toMatchObject([
      {
        organizationId: 'finance',
        action: 'audit.read',
        targetType: 'audit',
        outcome: 'denied',
        reason: "Organization 'finance' not found",
        meta: { status: 404 },
        persist: true,
      },
    ]);
  });

  it('only logs denials in organizations that do not exist', async () => {
    const { authorizer, recorded } = setup();
    await expect(
      authorizer.authorizeOrganization(
        user('finance-admin'),
        auditReadPermission,
        'made-up',
      ),
    ).rejects.toThrow("Organization 'made-up' not found");
    expect(recorded).toMatchObject([
      { organizationId: 'made-up', persist: false },
    ]);
  });

  it('records a 403 on a resource with its description', async () => {
    const { authorizer, recorded } = setup();
    const error = await authorizer
      .authorizeResource(
        user('finance-viewer'),
        pipelineUpdatePermission,
        {
          organizationId: 'finance',
          owner: 'user:default/x',
          id: 'p-1',
        } as any,
        "pipeline 'daily'",
      )
      .catch(e => e);
    expect(error.name).toBe('NotAllowedError');
    expect(recorded).toMatchObject([
      {
        organizationId: 'finance',
        action: 'pipeline.update',
        targetType: 'pipeline',
        targetId: 'p-1',
        outcome: 'denied',
        meta: {
          permission: 'ingestion.pipeline.update',
          status: 403,
          target: "pipeline 'daily'",
        },
      },
    ]);
  });

  it('records nothing when allowed', async () => {
    const { authorizer, audit } = setup({ decision: AuthorizeResult.ALLOW });
    await authorizer.authorizeOrganization(
      user('finance-admin'),
      auditReadPermission,
      'finance',
    );
    await authorizer.authorizeResource(
      user('finance-admin'),
      pipelineReadPermission,
      { organizationId: 'finance', owner: 'x' },
      'pipeline',
    );
    expect(audit.record).not.toHaveBeenCalled();
  });

  it('still answers 403 when the audit log fails', async () => {
    const { authorizer, audit } = setup({ failAudit: true });
    await expect(
      authorizer.authorizeOrganization(
        user('finance-viewer'),
        auditReadPermission,
        'finance',
      ),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(audit.record).toHaveBeenCalledTimes(1);
  });

  it('works without an audit log', async () => {
    const authorizer = new IngestionAuthorizer({
      permissions: mockServices.permissions.mock({
        authorizeConditional: jest.fn(async () => [
          { result: AuthorizeResult.DENY },
        ]) as any,
      }),
      permissionsRegistry: {
        getPermissionRuleset: () => ({ getRuleByName: () => undefined }),
      } as unknown as PermissionsRegistryService,
      userInfo,
      directory: new OrganizationDirectory(
        readOrganizationsConfig(mockServices.rootConfig({ data: TEST_CONFIG })),
      ),
    });
    const error = await authorizer
      .authorizeOrganization(
        user('finance-viewer'),
        auditReadPermission,
        'finance',
      )
      .catch(e => e);
    expect(error.name).toBe('NotAllowedError');
    expect(isAuditedDenial(error)).toBe(false);
  });
});
