import type {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  parseEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import {
  ANNOTATION_ORGANIZATION,
  ORG_ROLES,
  type OrgRole,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { DirectoryOrganization } from '@ingestion-for-backstage/plugin-ingestion-node';
import type {
  DeferredEntity,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { groupRef } from '../tenancy/TenantDirectory';
import type { EntityLookup } from '../tenancy/OrganizationGroups';

/** `spec.type` of the role groups this provider emits. */
export const ROLE_GROUP_TYPE = 'ingestion-role';

/** The location key (and managed-by location) of an organization's emitted role groups. */
export const roleGroupsLocationKey = (organizationId: string) =>
  `ingestion-role-groups:${organizationId}`;

const ROLE_TITLES: Record<OrgRole, string> = {
  admin: 'admins',
  engineer: 'engineers',
  analyst: 'analysts',
  viewer: 'viewers',
};

/**
 * Emits, for each organization created at run time (origin `api`, not retired), the groups its
 * `roles` name that no other source of the catalog defines: a Group of `spec.type`
 * `ingestion-role`, its parent the organization's owner group, no members (membership comes
 * from the identity provider, through users' `memberOf`). So the admin console and the System
 * page link the role groups of an organization as soon as it is created.
 *
 * A group some other location or provider already defines (org.yaml, the identity provider) is
 * never emitted: two sources of one entity ref conflict in the catalog, and the first keeps it.
 * Organizations of the config seed are left alone, so a first start cannot race the org file.
 * A group configured for several organizations is not emitted either (it is no one's).
 */
export class RoleGroupProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  private lastApplied?: string;

  constructor(
    private readonly options: {
      /** Every organization, retired ones included (the ingestion backend's directory). */
      organizations: () => Promise<DirectoryOrganization[]>;
      /** The catalog's entity by ref, as the catalog has it now. */
      lookup: EntityLookup;
      logger: LoggerService;
      scheduler?: SchedulerService;
      schedule?: SchedulerServiceTaskScheduleDefinition;
    },
  ) {}

  getProviderName(): string {
    return 'ingestion-role-groups';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    const { scheduler, schedule } = this.options;
    if (!scheduler || !schedule) return;
    await scheduler.scheduleTask({
      ...schedule,
      id: `${this.getProviderName()}:refresh`,
      fn: async () => {
        await this.refresh();
      },
    });
  }

  /** The role groups to emit now: only those the catalog has from nowhere else. */
  async entities(): Promise<DeferredEntity[]> {
    const organizations = await this.options.organizations();
    // Group ref → the organizations that name it (as owner or in a role).
    const claimedBy = new Map<string, Set<string>>();
    for (const org of organizations) {
      for (const ref of [org.ownerGroup, ...Object.values(org.roles).flat()]) {
        const key = groupRef(ref);
        if (!claimedBy.has(key)) claimedBy.set(key, new Set());
        claimedBy.get(key)!.add(org.id);
      }
    }
    const result: DeferredEntity[] = [];
    for (const org of organizations) {
      if (org.origin !== 'api' || org.retired) continue;
      const locationKey = roleGroupsLocationKey(org.id);
      const owner = groupRef(org.ownerGroup);
      for (const role of ORG_ROLES) {
        for (const ref of (org.roles[role] ?? []).map(r => groupRef(r))) {
          if (ref === owner || claimedBy.get(ref)?.size !== 1) continue;
          if (result.some(item => groupRef(entityRefOf(item)) === ref)) {
            continue;
          }
          const existing = await this.options.lookup(ref);
          const ours =
            existing?.metadata.annotations?.[ANNOTATION_LOCATION] ===
            locationKey;
          if (existing && !ours) continue;
          result.push({
            locationKey,
            entity: roleGroupEntity(org, role, ref, locationKey),
          });
        }
      }
    }
    return result;
  }

  /** Emits the role groups as one full mutation, when they differ from the last applied. */
  async refresh(): Promise<number> {
    if (!this.connection) {
      throw new Error('RoleGroupProvider is not connected yet');
    }
    const entities = await this.entities();
    const applied = JSON.stringify(entities);
    if (applied !== this.lastApplied) {
      await this.connection.applyMutation({ type: 'full', entities });
      this.lastApplied = applied;
      this.options.logger.info(
        `Ingestion role groups: ${entities.length} emitted for organizations created at run time`,
      );
    }
    return entities.length;
  }
}

function entityRefOf(item: DeferredEntity): string {
  const { kind, metadata } = item.entity;
  return `${kind}:${metadata.namespace ?? 'default'}/${metadata.name}`;
}

function roleGroupEntity(
  org: DirectoryOrganization,
  role: OrgRole,
  ref: string,
  locationKey: string,
): Entity {
  const { namespace, name } = parseEntityRef(ref);
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: {
      name,
      namespace,
      title: `${org.name} ${ROLE_TITLES[role]}`,
      description: `The ${role} role group of the ${org.name} organization. Its members come from the identity provider (users' memberOf); no other catalog source defines this group.`,
      annotations: {
        [ANNOTATION_LOCATION]: locationKey,
        [ANNOTATION_ORIGIN_LOCATION]: locationKey,
        [ANNOTATION_ORGANIZATION]: org.id,
      },
    },
    spec: {
      type: ROLE_GROUP_TYPE,
      parent: groupRef(org.ownerGroup),
      children: [],
    },
  };
}
