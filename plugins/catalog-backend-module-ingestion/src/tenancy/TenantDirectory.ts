import type { RootConfigService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  dataPlatformSystemName,
  ORG_ROLES,
  organizationNamespace,
  type OrgRole,
} from '@ingestion-for-backstage/plugin-ingestion-common';

const DEFAULT_NAMESPACE = 'default';

/** One organization as the catalog module needs it: its space in the catalog and its groups. */
export interface Tenant {
  id: string;
  /** The catalog namespace of its entities. */
  namespace: string;
  /** Name of its `System` (`<org>-data-platform`). */
  systemName: string;
  /** Full, lower-case entity ref of its owner group. */
  ownerGroup: string;
  /** Full, lower-case group refs per role. */
  roles: Record<OrgRole, string[]>;
}

/** `group:default/x` for `x`, lower-case (catalog refs compare case-insensitively). */
export function groupRef(ref: string, defaultNamespace = 'default'): string {
  return stringifyEntityRef(
    parseEntityRef(ref, { defaultKind: 'group', defaultNamespace }),
  ).toLocaleLowerCase('en-US');
}

/**
 * The organizations of `ingestion.organizations` (the same config the ingestion backend and its
 * permission policy read): which namespaces and names are theirs, and which groups are configured
 * for them. Role groups decide membership, exactly as in the policy.
 */
export class TenantDirectory {
  private readonly byId: ReadonlyMap<string, Tenant>;
  private readonly byNamespace: ReadonlyMap<string, Tenant>;
  private readonly bySystemName: ReadonlyMap<string, Tenant>;
  /** Configured group → the organizations it is configured for (as owner or role group). */
  private readonly groups: ReadonlyMap<
    string,
    { owner: string[]; role: string[] }
  >;

  static fromConfig(config: RootConfigService): TenantDirectory {
    const organizations = (
      config.getOptionalConfigArray('ingestion.organizations') ?? []
    ).map(org => {
      const id = org.getString('id');
      const roles = org.getOptionalConfig('roles');
      return {
        id,
        ownerGroup: org.getString('ownerGroup'),
        roles: Object.fromEntries(
          ORG_ROLES.map(role => [
            role,
            roles?.getOptionalStringArray(role) ?? [],
          ]),
        ) as Record<OrgRole, string[]>,
      };
    });
    return new TenantDirectory(organizations);
  }

  constructor(
    organizations: Array<{
      id: string;
      ownerGroup: string;
      roles: Partial<Record<OrgRole, string[]>>;
    }>,
  ) {
    const tenants = organizations.map(
      (org): Tenant => ({
        id: org.id,
        namespace: organizationNamespace(org.id),
        systemName: dataPlatformSystemName(org.id).name,
        ownerGroup: groupRef(org.ownerGroup),
        roles: Object.fromEntries(
          ORG_ROLES.map(role => [
            role,
            (org.roles[role] ?? []).map(ref => groupRef(ref)),
          ]),
        ) as Record<OrgRole, string[]>,
      }),
    );
    this.byId = new Map(tenants.map(t => [t.id, t]));
    // An organization with the id `default` would reserve everybody's namespace: not that one.
    this.byNamespace = new Map(
      tenants
        .filter(t => t.namespace !== DEFAULT_NAMESPACE)
        .map(t => [t.namespace, t]),
    );
    this.bySystemName = new Map(tenants.map(t => [t.systemName, t]));
    const groups = new Map<string, { owner: string[]; role: string[] }>();
    const entry = (ref: string) => {
      if (!groups.has(ref)) groups.set(ref, { owner: [], role: [] });
      return groups.get(ref)!;
    };
    for (const t of tenants) {
      entry(t.ownerGroup).owner.push(t.id);
      for (const ref of new Set(Object.values(t.roles).flat())) {
        entry(ref).role.push(t.id);
      }
    }
    this.groups = groups;
  }

  get tenants(): Tenant[] {
    return [...this.byId.values()];
  }

  get(id: string): Tenant | undefined {
    return this.byId.get(id);
  }

  /** Organizations whose namespace is the catalog's `default` one, so not theirs alone (a warning). */
  inDefaultNamespace(): string[] {
    return this.tenants
      .filter(t => t.namespace === DEFAULT_NAMESPACE)
      .map(t => t.id);
  }

  /** The organization whose catalog namespace this is. */
  ofNamespace(namespace: string | undefined): Tenant | undefined {
    return this.byNamespace.get(
      (namespace ?? DEFAULT_NAMESPACE).toLocaleLowerCase('en-US'),
    );
  }

  /** The organization whose data platform `System` would have this name. */
  ofSystemName(name: string): Tenant | undefined {
    return this.bySystemName.get(name.toLocaleLowerCase('en-US'));
  }

  /**
   * The organization a configured group belongs to: the one it owns, else the one whose roles
   * list it. `null` when it is configured for several (it cannot be scoped to one of them);
   * undefined when it is configured for none.
   */
  ofConfiguredGroup(ref: string): string | null | undefined {
    const entry = this.groups.get(ref);
    if (!entry) return undefined;
    const owners = new Set(entry.owner);
    if (owners.size > 0) return owners.size === 1 ? [...owners][0] : null;
    const roles = new Set(entry.role);
    return roles.size === 1 ? [...roles][0] : null;
  }

  /** Groups configured for several organizations, which the module cannot scope (a warning). */
  sharedGroups(): string[] {
    return [...this.groups.keys()].filter(
      ref => this.ofConfiguredGroup(ref) === null,
    );
  }

  /** Whether these (full, lower-case) group refs give a role in the organization, as in the policy. */
  isMember(tenant: Tenant, groupRefs: ReadonlySet<string>): boolean {
    return ORG_ROLES.some(role =>
      tenant.roles[role].some(ref => groupRefs.has(ref)),
    );
  }
}
