import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type {
  BackstageCredentials,
  BackstageUserInfo,
  PermissionsRegistryService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  pipelineExecutePermission,
  pipelineReadPermission,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { testOrganizationConfig } from '../__testUtils__/organizationConfig';
import type { OrganizationConfig } from '../organizations/organizationConfig';
import { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { IngestionAuthorizer } from './IngestionAuthorizer';
import {
  PermissionDecisionCache,
  readDecisionCacheTtlMs,
} from './PermissionDecisionCache';

const TTL_MS = 3_000;
const ANALYSTS = 'group:default/finance-analysts';
const VIEWERS = 'group:default/finance-viewers';

function finance(analystGroups: string[]): OrganizationConfig {
  return testOrganizationConfig('finance', {
    roles: {
      admin: [],
      engineer: [],
      analyst: analystGroups,
      viewer: [VIEWERS],
    },
  });
}

/**
 * An authorizer over a stand-in policy that allows `ingestion.pipeline.read` to the users in
 * `allowed` and counts its round trips; users' groups come from `groups` (their token's claims).
 */
function setUp(options: { ttlMs?: number } = {}) {
  let now = 1_000_000;
  const allowed = new Set<string>(['user:default/ann', 'user:default/ben']);
  const groups = new Map<string, string[]>([
    ['user:default/ann', [ANALYSTS]],
    ['user:default/ben', [ANALYSTS]],
    ['user:default/eve', [ANALYSTS]],
  ]);
  let organizations = [finance([ANALYSTS])];
  const directory = new OrganizationDirectory(organizations, [], {
    source: { load: async () => organizations },
  });
  const roundTrips: string[] = [];
  const permissions = {
    authorizeConditional: jest.fn(
      async (
        requests: Array<{ permission: { name: string } }>,
        { credentials }: { credentials: BackstageCredentials },
      ): Promise<PolicyDecision[]> => {
        const principal = credentials.principal as {
          userEntityRef?: string;
          subject?: string;
        };
        const who = principal.userEntityRef ?? principal.subject ?? '';
        roundTrips.push(who);
        return requests.map(() => ({
          result: allowed.has(who)
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
        }));
      },
    ),
  } as unknown as PermissionsService;
  const userInfo: UserInfoService = {
    async getUserInfo(credentials): Promise<BackstageUserInfo> {
      const { userEntityRef } = credentials.principal as {
        userEntityRef: string;
      };
      return {
        userEntityRef,
        ownershipEntityRefs: [
          userEntityRef,
          ...(groups.get(userEntityRef) ?? []),
        ],
      };
    },
  };
  const authorizer = new IngestionAuthorizer({
    permissions,
    permissionsRegistry:
      mockServices.permissionsRegistry.mock() as unknown as PermissionsRegistryService,
    userInfo,
    directory,
    servicePrincipals: [
      {
        subject: 'external:reports',
        organizations: ['finance'],
        roles: ['viewer'],
      },
    ],
    decisionCacheTtlMs: options.ttlMs ?? TTL_MS,
    clock: () => now,
  });
  /** The organizations `user` may read pipelines in, as a list would filter them. */
  const readable = async (user: string) =>
    (
      await authorizer.accessFilter(
        mockCredentials.user(user),
        pipelineReadPermission,
        'finance',
      )
    ).organizationIds;
  return {
    authorizer,
    allowed,
    groups,
    roundTrips,
    readable,
    advance: (ms: number) => {
      now += ms;
    },
    changeOrganizations: async (next: OrganizationConfig[]) => {
      organizations = next;
      await directory.reload();
    },
  };
}

describe('IngestionAuthorizer decision cache', () => {
  it('reuses a user’s decision for the same permission: one round trip for many requests', async () => {
    const { readable, roundTrips } = setUp();
    for (let i = 0; i < 5; i++) {
      expect(await readable('user:default/ann')).toEqual(['finance']);
    }
    expect(roundTrips).toEqual(['user:default/ann']);
  });

  it('stops a role the policy revoked within the cache time, not later', async () => {
    const { readable, allowed, advance, roundTrips } = setUp();
    expect(await readable('user:default/ann')).toEqual(['finance']);
    allowed.delete('user:default/ann');
    advance(TTL_MS - 1);
    // The documented delay: still the decision of under TTL_MS ago.
    expect(await readable('user:default/ann')).toEqual(['finance']);
    advance(1);
    expect(await readable('user:default/ann')).toEqual([]);
    expect(roundTrips).toEqual(['user:default/ann', 'user:default/ann']);
  });

  it('asks again at once when the organizations change (a role group removed)', async () => {
    const { readable, changeOrganizations, roundTrips } = setUp();
    expect(await readable('user:default/ann')).toEqual(['finance']);
    await changeOrganizations([finance([])]);
    // No longer a member: the boundary itself answers, and the stale decision is gone too.
    expect(await readable('user:default/ann')).toEqual([]);
    await changeOrganizations([finance([ANALYSTS])]);
    expect(await readable('user:default/ann')).toEqual(['finance']);
    expect(roundTrips).toEqual([
      'user:default/ann',
      'user:default/ann',
      'user:default/ann',
    ]);
  });

  it('never gives one user’s decision to another, even with the same groups', async () => {
    const { readable, roundTrips } = setUp();
    expect(await readable('user:default/ann')).toEqual(['finance']);
    // eve has ann's groups but the policy denies her: she gets her own answer.
    expect(await readable('user:default/eve')).toEqual([]);
    expect(await readable('user:default/ann')).toEqual(['finance']);
    expect(roundTrips).toEqual(['user:default/ann', 'user:default/eve']);
  });

  it('asks again when the same user comes with other groups (a new token)', async () => {
    const { readable, groups, roundTrips } = setUp();
    expect(await readable('user:default/ann')).toEqual(['finance']);
    groups.set('user:default/ann', [VIEWERS]);
    expect(await readable('user:default/ann')).toEqual(['finance']);
    expect(roundTrips).toEqual(['user:default/ann', 'user:default/ann']);
  });

  it('keeps decisions per permission', async () => {
    const { authorizer, roundTrips } = setUp();
    const ann = mockCredentials.user('user:default/ann');
    await authorizer.accessFilter(ann, pipelineReadPermission);
    await authorizer.accessFilter(ann, pipelineExecutePermission);
    expect(roundTrips).toHaveLength(2);
  });

  it('asks for services every time (their token’s restrictions are part of the decision)', async () => {
    const { authorizer, roundTrips } = setUp();
    const service = mockCredentials.service('external:reports');
    await authorizer.accessFilter(service, pipelineReadPermission, 'finance');
    await authorizer.accessFilter(service, pipelineReadPermission, 'finance');
    expect(roundTrips).toEqual(['external:reports', 'external:reports']);
  });

  it('asks on every request with a cache time of 0', async () => {
    const { readable, roundTrips } = setUp({ ttlMs: 0 });
    await readable('user:default/ann');
    await readable('user:default/ann');
    expect(roundTrips).toHaveLength(2);
  });
});

describe('PermissionDecisionCache', () => {
  const key = {
    userEntityRef: 'user:default/ann',
    ownershipEntityRefs: ['user:default/ann', ANALYSTS],
    permissionName: pipelineReadPermission.name,
    resourceType: pipelineReadPermission.resourceType,
    directoryVersion: 'v1',
  };
  const conditional: PolicyDecision = {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'ingestion',
    resourceType: 'ingestion-pipeline',
    conditions: {
      rule: 'IS_IN_ORGANIZATION',
      resourceType: 'ingestion-pipeline',
      params: { organizationIds: ['finance'] },
    },
  };

  it('shares one round trip between simultaneous requests and keeps conditional decisions', async () => {
    const cache = new PermissionDecisionCache({ ttlMs: TTL_MS });
    const decide = jest.fn(async () => conditional);
    const answers = await Promise.all([
      cache.get(key, decide),
      cache.get(
        { ...key, ownershipEntityRefs: [ANALYSTS, 'user:default/ann'] },
        decide,
      ),
    ]);
    expect(answers).toEqual([conditional, conditional]);
    expect(decide).toHaveBeenCalledTimes(1);
  });

  it('does not keep a failed decision', async () => {
    const cache = new PermissionDecisionCache({ ttlMs: TTL_MS });
    const failing = jest.fn(async (): Promise<PolicyDecision> => {
      throw new Error('permission backend unavailable');
    });
    await expect(cache.get(key, failing)).rejects.toThrow('unavailable');
    const decide = jest.fn(async () => conditional);
    await expect(cache.get(key, decide)).resolves.toEqual(conditional);
    expect(decide).toHaveBeenCalledTimes(1);
  });

  it('holds at most maxEntries decisions, dropping the oldest', async () => {
    const cache = new PermissionDecisionCache({ ttlMs: TTL_MS, maxEntries: 2 });
    const decide = jest.fn(async () => conditional);
    for (const user of ['a', 'b', 'c', 'a']) {
      await cache.get(
        { ...key, userEntityRef: `user:default/${user}` },
        decide,
      );
    }
    // a was dropped for c, so its second request asked again.
    expect(decide).toHaveBeenCalledTimes(4);
  });

  it('reads its time from config, within 0 to 10 seconds', () => {
    const config = (value?: number) =>
      mockServices.rootConfig({
        data:
          value === undefined
            ? {}
            : { ingestion: { permissionDecisionCacheSeconds: value } },
      });
    expect(readDecisionCacheTtlMs(config())).toBe(3_000);
    expect(readDecisionCacheTtlMs(config(0))).toBe(0);
    expect(readDecisionCacheTtlMs(config(1.5))).toBe(1_500);
    expect(() => readDecisionCacheTtlMs(config(60))).toThrow(
      'permissionDecisionCacheSeconds',
    );
  });
});
