import {
  parseEntityRef,
  RELATION_MEMBER_OF,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import { ORG_ROLES } from '@ingestion-for-backstage/plugin-ingestion-common';
import { groupRef, type Tenant, type TenantDirectory } from './TenantDirectory';

/** Reads an entity as the catalog has it now (processed), or undefined. */
export type EntityLookup = (entityRef: string) => Promise<Entity | undefined>;

const MAX_DEPTH = 20;
const MAX_CACHED = 10_000;

/**
 * A cache of lookups whose results may be a little stale: concurrent misses share one lookup,
 * entries live `ttlMs`, and the map never grows past `MAX_CACHED`. Entities not (yet) in the
 * catalog are not remembered: on a first load a user is often processed after the entities it
 * owns, and should own them as soon as it is there.
 */
class TtlCache<T> {
  private readonly entries = new Map<
    string,
    { at: number; value: Promise<T> }
  >();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  get(
    key: string,
    load: () => Promise<{ value: T; found: boolean }>,
  ): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    if (this.entries.size >= MAX_CACHED) this.entries.clear();
    const loaded = load();
    const value = loaded.then(r => r.value);
    const entry = { at: this.now(), value };
    this.entries.set(key, entry);
    const forget = () => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    };
    // A failed lookup, or one that found nothing, is not remembered: the next one asks again.
    loaded.then(r => r.found || forget(), forget);
    return value;
  }
}

/**
 * Which organization a group or a user's groups belong to. An organization's groups are its
 * owner group, its role groups, and every group under one of them through `spec.parent`; a
 * group configured for several organizations belongs to none (it cannot be scoped to one).
 */
export class OrganizationGroups {
  private readonly parents: TtlCache<string | null>;
  private readonly memberships: TtlCache<string[]>;

  constructor(
    readonly directory: TenantDirectory,
    private readonly lookup: EntityLookup,
    options: { ttlMs?: number; now?: () => number } = {},
  ) {
    const ttl = options.ttlMs ?? 30_000;
    const now = options.now ?? Date.now;
    this.parents = new TtlCache(ttl, now);
    this.memberships = new TtlCache(ttl, now);
  }

  /** The parent group of a group in the catalog, or null (no such group, or no parent). */
  private parentOf(ref: string): Promise<string | null> {
    return this.parents.get(ref, async () => {
      const entity = await this.lookup(ref);
      const parent =
        entity?.kind.toLocaleLowerCase('en-US') === 'group' &&
        (entity.spec as { parent?: unknown } | undefined)?.parent;
      return {
        value:
          typeof parent === 'string' && parent
            ? groupRef(parent, entity!.metadata.namespace)
            : null,
        found: entity !== undefined,
      };
    });
  }

  /**
   * The organization of a group (full, lower-case ref). `parent` is the group's own
   * `spec.parent` when the caller has the entity at hand (null: none); otherwise the catalog's.
   */
  async organizationOfGroup(
    ref: string,
    parent?: string | null,
  ): Promise<string | undefined> {
    const seen = new Set<string>();
    let current: string | null = ref;
    let next: string | null | undefined = parent;
    for (let depth = 0; current && depth < MAX_DEPTH; depth++) {
      if (seen.has(current)) return undefined; // a cycle of parents
      seen.add(current);
      const configured = this.directory.ofConfiguredGroup(current);
      if (configured !== undefined) return configured ?? undefined;
      current = next !== undefined ? next : await this.parentOf(current);
      next = undefined;
    }
    return undefined;
  }

  /** The groups a user is a member of, from the catalog (`spec.memberOf` and `memberOf`). */
  groupsOfUser(userRef: string): Promise<string[]> {
    return this.memberships.get(userRef, async () => {
      const entity = await this.lookup(userRef);
      if (!entity || entity.kind.toLocaleLowerCase('en-US') !== 'user') {
        return { value: [], found: entity !== undefined };
      }
      return {
        value: [
          ...userGroupRefs(entity),
          ...(entity.relations ?? [])
            .filter(r => r.type === RELATION_MEMBER_OF)
            .map(r => r.targetRef.toLocaleLowerCase('en-US')),
        ],
        found: true,
      };
    });
  }

  /**
   * The organization a user belongs to: the one all their organizations' groups are of, provided
   * they hold a role there and in no other (the policy's membership; else they could not see
   * themselves, or members of another of their organizations could not see them).
   */
  async organizationOfUser(
    groups: ReadonlySet<string>,
  ): Promise<string | undefined> {
    const organizations = new Set<string>();
    for (const group of groups) {
      const organization = await this.organizationOfGroup(group);
      if (organization !== undefined) organizations.add(organization);
    }
    // A group configured for several organizations belongs to none, but gives roles in each.
    let roles = 0;
    for (const tenant of this.directory.tenants) {
      if (this.directory.isMember(tenant, groups)) {
        organizations.add(tenant.id);
        roles++;
      }
    }
    return organizations.size === 1 && roles === 1
      ? [...organizations][0]
      : undefined;
  }

  /**
   * The group of the organization that owns an entity whose ingestion record names `owner`: the
   * owner itself if it is a group of the organization; for a user, the most specific of their
   * groups in it (a team under a role group, then role groups in role order); else the owner group.
   * Should the catalog not answer, the owner group too: it is always the organization's.
   */
  async scopedOwner(
    tenant: Tenant,
    owner: string | undefined,
  ): Promise<string> {
    try {
      return (await this.groupOwning(tenant, owner)) ?? tenant.ownerGroup;
    } catch {
      return tenant.ownerGroup;
    }
  }

  private async groupOwning(
    tenant: Tenant,
    owner: string | undefined,
  ): Promise<string | undefined> {
    let ref;
    try {
      ref = owner
        ? parseEntityRef(owner, {
            defaultKind: 'group',
            defaultNamespace: 'default',
          })
        : undefined;
    } catch {
      return undefined; // not a ref: the organization owns it
    }
    const kind = ref?.kind.toLocaleLowerCase('en-US');
    if (ref && kind === 'group') {
      const group = stringifyEntityRef(ref).toLocaleLowerCase('en-US');
      return (await this.organizationOfGroup(group)) === tenant.id
        ? group
        : undefined;
    }
    if (!ref || kind !== 'user') return undefined;
    const userRef = stringifyEntityRef(ref).toLocaleLowerCase('en-US');
    const candidates: string[] = [];
    for (const group of new Set(await this.groupsOfUser(userRef))) {
      if ((await this.organizationOfGroup(group)) === tenant.id) {
        candidates.push(group);
      }
    }
    const rank = (group: string) => {
      if (group === tenant.ownerGroup) return ORG_ROLES.length + 1;
      const role = ORG_ROLES.findIndex(r => tenant.roles[r].includes(group));
      return role + 1; // 0 for a team group under the organization
    };
    candidates.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    return candidates[0];
  }
}

/** A user entity's own `spec.memberOf`, as full, lower-case group refs. */
export function userGroupRefs(entity: Entity): string[] {
  const memberOf = (entity.spec as { memberOf?: unknown } | undefined)
    ?.memberOf;
  if (!Array.isArray(memberOf)) return [];
  const refs: string[] = [];
  for (const item of memberOf) {
    if (typeof item !== 'string') continue;
    try {
      refs.push(groupRef(item, entity.metadata.namespace));
    } catch {
      // not a ref: the catalog's validation reports it
    }
  }
  return refs;
}
