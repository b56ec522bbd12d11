import type { LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  type CatalogOrganization,
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

/** An organization as the directory needs it (its id, owner group and role groups). */
export type TenantOrganization = Pick<
  CatalogOrganization,
  'id' | 'ownerGroup'
> & {
  roles?: Partial<Record<OrgRole, string[]>>;
};

/** How long the organizations read from the ingestion backend are used before reading again. */
export const DEFAULT_TENANTS_MAX_AGE_MS = 10_000;
/**
 * How old the organizations may be when an entity names one they do not hold: it may have been
 * created a moment ago (its role groups arrive within a second), so they are read again first.
 */
export const UNKNOWN_ORGANIZATION_MAX_AGE_MS = 1_000;

/**
 * The ingestion organizations as the catalog module sees them (read from the ingestion backend,
 * the one place organizations are kept, retired ones included so their namespace stays theirs):
 * which namespaces and names are theirs, and which groups are configured for them. Role groups
 * decide membership, exactly as in the policy.
 *
 * The entity provider puts what it reads into it ({@link update}) on every full refresh, which
 * it makes whenever the organizations change; the processor asks for fresh organizations
 * ({@link ensureFresh}) before it decides, and fails closed while none could ever be read.
 */
export class TenantDirectory {
  private byId: ReadonlyMap<string, Tenant> = new Map();
  private byNamespace: ReadonlyMap<string, Tenant> = new Map();
  private bySystemName: ReadonlyMap<string, Tenant> = new Map();
  /** Configured group → the organizations it is configured for (as owner or role group). */
  private groups: ReadonlyMap<string, { owner: string[]; role: string[] }> =
    new Map();
  private loadedAt?: number;
  private loading?: Promise<void>;
  private warned = new Set<string>();

  /** A directory that reads the organizations from `load` (the ingestion backend's export). */
  static fromSource(
    load: () => Promise<TenantOrganization[]>,
    options: {
      logger?: LoggerService;
      maxAgeMs?: number;
      now?: () => number;
      firstReadAttempts?: number;
      retryDelayMs?: number;
    } = {},
  ): TenantDirectory {
    return new TenantDirectory([], { ...options, load });
  }

  constructor(
    organizations: TenantOrganization[],
    private readonly options: {
      load?: () => Promise<TenantOrganization[]>;
      logger?: LoggerService;
      maxAgeMs?: number;
      now?: () => number;
      /** Tries of the first read before processing fails closed (default 5, a second apart). */
      firstReadAttempts?: number;
      retryDelayMs?: number;
    } = {},
  ) {
    if (!options.load) {
      this.update(organizations);
    }
  }

  private now() {
    return this.options.now?.() ?? Date.now();
  }

  /** Replaces the organizations (the provider calls this with what it read). */
  update(organizations: TenantOrganization[]): void {
    const tenants = organizations.map(
      (org): Tenant => ({
        id: org.id,
        namespace: organizationNamespace(org.id),
        systemName: dataPlatformSystemName(org.id).name,
        ownerGroup: groupRef(org.ownerGroup),
        roles: Object.fromEntries(
          ORG_ROLES.map(role => [
            role,
            (org.roles?.[role] ?? []).map(ref => groupRef(ref)),
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
    this.loadedAt = this.now();
    this.warn();
  }

  /** Logs, once each, groups it cannot scope and organizations in the default namespace. */
  private warn() {
    const { logger } = this.options;
    if (!logger) return;
    for (const group of this.sharedGroups()) {
      if (this.warned.has(`group:${group}`)) continue;
      this.warned.add(`group:${group}`);
      logger.warn(
        `${group} is configured for several ingestion organizations: it is not scoped to any of them and owns none of their entities`,
      );
    }
    for (const id of this.inDefaultNamespace()) {
      if (this.warned.has(`default:${id}`)) continue;
      this.warned.add(`default:${id}`);
      logger.warn(
        `Ingestion organization '${id}' has the catalog's default namespace: entities from elsewhere cannot be kept out of it`,
      );
    }
  }

  /**
   * Reads the organizations again when the last read is older than `maxAgeMs` (the directory's,
   * or a shorter one for a decision that cannot wait, see {@link UNKNOWN_ORGANIZATION_MAX_AGE_MS}). While none were
   * ever read, a failure is thrown (the processor fails closed and the catalog retries); later,
   * the last organizations stay in use and the failure is logged.
   */
  async ensureFresh(options: { maxAgeMs?: number } = {}): Promise<void> {
    const { load } = this.options;
    if (!load) return;
    const maxAge =
      options.maxAgeMs ?? this.options.maxAgeMs ?? DEFAULT_TENANTS_MAX_AGE_MS;
    if (this.loadedAt !== undefined && this.now() - this.loadedAt < maxAge) {
      return;
    }
    const never = this.loadedAt === undefined;
    this.loading ??= this.firstOrNextRead(load, never)
      .then(organizations => this.update(organizations))
      .finally(() => {
        this.loading = undefined;
      });
    try {
      await this.loading;
    } catch (error) {
      if (never) throw error;
      this.loadedAt = this.now();
      this.options.logger?.warn(
        `Could not read the ingestion organizations; using the last ones read: ${error}`,
      );
    }
  }

  /**
   * The first read is tried a few times a second apart: the ingestion backend may still be
   * starting (in the same backend process, its routes come up beside the catalog's).
   */
  private async firstOrNextRead(
    load: () => Promise<TenantOrganization[]>,
    first: boolean,
  ): Promise<TenantOrganization[]> {
    const attempts = first ? this.options.firstReadAttempts ?? 5 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await load();
      } catch (error) {
        if (attempt >= attempts) throw error;
        await new Promise(resolve =>
          setTimeout(resolve, this.options.retryDelayMs ?? 1_000),
        );
      }
    }
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
