import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';

type Entity = NonNullable<
  Awaited<ReturnType<CatalogService['getEntityByRef']>>
>;

/** The organization facts team resolution needs. */
export interface TeamOrganization {
  id: string;
  /** The organization's group: the root of its teams. */
  ownerGroup: string;
}

/**
 * Resolves the Owner cost tag: the team a pipeline's costs are charged to, and a team's
 * sub-groups (a team's spend includes theirs).
 */
export interface TeamResolver {
  /**
   * A group owner is its own team; a person is charged to their most specific group inside the
   * organization's group tree, else to the organization's group. Undefined when the directory
   * cannot answer right now (the record is resolved on a later pass).
   */
  teamOf(
    organization: TeamOrganization,
    ownerRef: string,
  ): Promise<string | undefined>;
  /** The group and all its descendants (`parentOf`, transitively). */
  withSubGroups(groupRef: string): Promise<string[]>;
}

const MAX_DEPTH = 16;
const CACHE_MS = 5 * 60_000;

const normalize = (ref: string) => ref.toLocaleLowerCase('en-US');

function relationTargets(entity: Entity | undefined, type: string): string[] {
  return (entity?.relations ?? [])
    .filter(relation => relation.type === type)
    .map(relation => normalize(relation.targetRef));
}

/** {@link TeamResolver} over the software catalog, with a short cache (entities change rarely). */
export class CatalogTeamResolver implements TeamResolver {
  readonly #cache = new Map<string, { at: number; entity?: Entity }>();

  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
      now?: () => number;
    },
  ) {}

  async #entity(ref: string): Promise<Entity | undefined> {
    const now = this.options.now?.() ?? Date.now();
    const cached = this.#cache.get(ref);
    if (cached && now - cached.at < CACHE_MS) return cached.entity;
    const entity = await this.options.catalog.getEntityByRef(ref, {
      credentials: await this.options.auth.getOwnServiceCredentials(),
    });
    this.#cache.set(ref, { at: now, entity });
    return entity;
  }

  /** Steps from `groupRef` up to the organization's group; -1 outside its tree. */
  async #depthInOrganization(groupRef: string, root: string): Promise<number> {
    let current: string | undefined = groupRef;
    for (let depth = 0; current && depth < MAX_DEPTH; depth++) {
      if (current === root) return depth;
      const parents = relationTargets(await this.#entity(current), 'childOf');
      current = parents[0];
    }
    return -1;
  }

  async teamOf(organization: TeamOrganization, ownerRef: string) {
    const owner = normalize(ownerRef);
    if (owner.startsWith('group:')) return owner;
    const root = normalize(organization.ownerGroup);
    try {
      const user = await this.#entity(owner);
      let best: { ref: string; depth: number } | undefined;
      for (const group of relationTargets(user, 'memberOf').sort()) {
        const depth = await this.#depthInOrganization(group, root);
        if (depth >= 0 && (!best || depth > best.depth)) {
          best = { ref: group, depth };
        }
      }
      return best?.ref ?? root;
    } catch (error) {
      this.options.logger.warn(
        `Could not resolve the team of ${owner} in organization ${organization.id}: ${error}`,
      );
      return undefined;
    }
  }

  async withSubGroups(groupRef: string) {
    const seen = new Set<string>([normalize(groupRef)]);
    let frontier = [...seen];
    for (let depth = 0; frontier.length && depth < MAX_DEPTH; depth++) {
      const next: string[] = [];
      for (const ref of frontier) {
        let children: string[] = [];
        try {
          children = relationTargets(await this.#entity(ref), 'parentOf');
        } catch (error) {
          this.options.logger.warn(`Could not read ${ref}: ${error}`);
        }
        for (const child of children) {
          if (!seen.has(child)) {
            seen.add(child);
            next.push(child);
          }
        }
      }
      frontier = next;
    }
    return [...seen];
  }
}
