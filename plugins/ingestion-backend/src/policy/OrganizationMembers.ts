import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { ANNOTATION_ORGANIZATION } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import type { PortalGroups } from './PolicyUser';

/** The users who belong to one organization only, as entity refs. */
export interface OrganizationMembers {
  membersOf(organizationId: string): Promise<readonly string[]>;
}

type Entity = Awaited<
  ReturnType<CatalogService['queryEntities']>
>['items'][number];

const PAGE_SIZE = 500;
const DEFAULT_TTL_MS = 30_000;

/**
 * The members of an organization from the catalog: users that the catalog module annotates with
 * the organization (it does so only when all their organization groups are of that one and they
 * hold a role there), and whose groups in the catalog give them roles in that organization and no
 * other, by the policy's own directory. The second check keeps a user out whom a catalog file
 * annotated by hand while they hold roles elsewhere too, and holds where the catalog module is
 * not installed: a platform admin (admin everywhere) or a user of two organizations is nobody's
 * member.
 *
 * Answers are cached per organization for a short while (a policy decision is asked on every task
 * request); failures are not cached, and are the caller's to fall back from.
 */
export class CatalogOrganizationMembers implements OrganizationMembers {
  private readonly cache = new Map<
    string,
    { at: number; members: Promise<readonly string[]> }
  >();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      directory: OrganizationDirectory;
      /** Platform admins are nobody's members, even where only one organization is configured. */
      groups: PortalGroups;
      ttlMs?: number;
      now?: () => number;
    },
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  membersOf(organizationId: string): Promise<readonly string[]> {
    const hit = this.cache.get(organizationId);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.members;
    const members = this.load(organizationId);
    const entry = { at: this.now(), members };
    this.cache.set(organizationId, entry);
    members.catch(() => {
      if (this.cache.get(organizationId) === entry) {
        this.cache.delete(organizationId);
      }
    });
    return members;
  }

  private async load(organizationId: string): Promise<readonly string[]> {
    const { catalog, auth } = this.options;
    const credentials = await auth.getOwnServiceCredentials();
    const members = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await catalog.queryEntities(
        cursor
          ? { cursor, limit: PAGE_SIZE }
          : {
              filter: {
                kind: 'user',
                [`metadata.annotations.${ANNOTATION_ORGANIZATION}`]:
                  organizationId,
              },
              fields: [
                'kind',
                'metadata.namespace',
                'metadata.name',
                'metadata.annotations',
                'relations',
              ],
              limit: PAGE_SIZE,
            },
        { credentials },
      );
      for (const entity of page.items) {
        if (this.isMemberOfOnly(entity, organizationId)) {
          const ref = `user:${entity.metadata.namespace ?? 'default'}/${
            entity.metadata.name
          }`;
          // The scaffolder compares `created_by` exactly; sign-in resolvers write the catalog's ref.
          members.add(ref);
          members.add(ref.toLocaleLowerCase('en-US'));
        }
      }
      cursor = page.pageInfo.nextCursor;
    } while (cursor);
    return [...members];
  }

  private isMemberOfOnly(entity: Entity, organizationId: string): boolean {
    if (
      entity.metadata.annotations?.[ANNOTATION_ORGANIZATION] !== organizationId
    ) {
      return false;
    }
    const groups = (entity.relations ?? [])
      .filter(r => r.type === 'memberOf')
      .map(r => r.targetRef);
    const memberships = this.options.directory.membershipsOf(groups);
    return (
      memberships.size === 1 &&
      memberships.has(organizationId) &&
      !this.options.groups.userOf('', groups, memberships).isPlatformAdmin
    );
  }
}

/**
 * Asks `members` for each organization and falls back to nobody (owner-only decisions) for one
 * whose members cannot be read: never to a wider view.
 */
export async function membersOfOrganizations(
  members: OrganizationMembers | undefined,
  organizationIds: readonly string[],
  logger?: LoggerService,
): Promise<string[]> {
  if (!members) return [];
  const refs = new Set<string>();
  for (const id of organizationIds) {
    try {
      for (const ref of await members.membersOf(id)) refs.add(ref);
    } catch (error) {
      logger?.warn(
        `Could not read the members of organization '${id}' from the catalog; its admins see only their own scaffolder tasks for now: ${error}`,
      );
    }
  }
  return [...refs].sort();
}
