import type { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  ORG_ROLES,
  type OrgRole,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { RequestHandler } from 'express';
import { hash } from 'node:crypto';
import type { OrganizationConfig } from './organizationConfig';

/** The organizations a user belongs to, with the roles held in each. */
export type Memberships = ReadonlyMap<string, readonly OrgRole[]>;

/** Where the directory reads organizations from: the store, or the ingestion backend's API. */
export interface OrganizationSource {
  /** Every organization, retired ones included. */
  load(): Promise<OrganizationConfig[]>;
}

/** How long a read snapshot is used before the next request or tick reads the source again. */
export const DEFAULT_DIRECTORY_MAX_AGE_MS = 5_000;

/**
 * Knows the organizations and which roles a user's group memberships give them. Roles are
 * resolved from the ownership refs in the user's Backstage identity, so a user may hold different
 * roles in different organizations.
 *
 * Reads are synchronous, from a snapshot of the source (the store). The snapshot is read again
 * when it is older than `maxAgeMs` and someone calls {@link ensureFresh} (every API request does,
 * through {@link middleware}; background tasks through a local scheduled task), and at once after a
 * change through this backend ({@link reload}). Other replicas see a change within `maxAgeMs`.
 *
 * Membership is decided here: a retired organization has no members but platform admins, so it
 * disappears from lists, pipelines, tables and every other route for everyone else, and
 * {@link organizations} (what background work iterates: schedules, billing, sampling) leaves it out.
 */
export class OrganizationDirectory {
  private byId: ReadonlyMap<string, OrganizationConfig> = new Map();
  private active: readonly OrganizationConfig[] = [];
  private everything: readonly OrganizationConfig[] = [];
  private snapshotVersion = '';
  private loadedAt = 0;
  private loading?: Promise<void>;
  private readonly platformAdmins: ReadonlySet<string>;

  constructor(
    organizations: readonly OrganizationConfig[],
    platformAdminGroups: readonly string[] = [],
    private readonly options: {
      source?: OrganizationSource;
      maxAgeMs?: number;
      logger?: LoggerService;
      clock?: () => number;
      /** Read the source at the first {@link ensureFresh} (the given organizations are a stand-in). */
      initiallyStale?: boolean;
    } = {},
  ) {
    this.platformAdmins = new Set(
      platformAdminGroups.map(group => group.toLocaleLowerCase('en-US')),
    );
    this.replace(organizations);
    this.loadedAt = options.initiallyStale ? -Infinity : this.now();
  }

  private now() {
    return this.options.clock?.() ?? Date.now();
  }

  private replace(organizations: readonly OrganizationConfig[]) {
    this.everything = organizations;
    this.active = organizations.filter(org => !org.retiredAt);
    this.byId = new Map(organizations.map(org => [org.id, org]));
    this.snapshotVersion = hash(
      'sha1',
      JSON.stringify(
        organizations.map(({ databricks, ...org }) => ({
          ...org,
          databricksHost: databricks?.host,
        })),
      ),
      'base64url',
    );
  }

  /** The organizations in service (not retired): what background work iterates. */
  get organizations(): readonly OrganizationConfig[] {
    return this.active;
  }

  /** Every organization, retired ones included (platform admins still see those). */
  get all(): readonly OrganizationConfig[] {
    return this.everything;
  }

  /** Changes whenever an organization is added, changed or retired (for the catalog export). */
  get version(): string {
    return this.snapshotVersion;
  }

  /** The organization with this id, or a 404 that does not say whether it exists elsewhere. */
  get(id: string): OrganizationConfig {
    const org = this.byId.get(id);
    if (!org) {
      throw new NotFoundError(`Organization '${id}' not found`);
    }
    return org;
  }

  find(id: string): OrganizationConfig | undefined {
    return this.byId.get(id);
  }

  isRetired(id: string): boolean {
    return Boolean(this.byId.get(id)?.retiredAt);
  }

  /** Whether these ownership refs include a group of `ingestion.platformAdmins`. */
  isPlatformAdmin(ownershipEntityRefs: readonly string[]): boolean {
    return ownershipEntityRefs.some(ref =>
      this.platformAdmins.has(ref.toLocaleLowerCase('en-US')),
    );
  }

  membershipsOf(ownershipEntityRefs: readonly string[]): Memberships {
    const refs = new Set(
      ownershipEntityRefs.map(ref => ref.toLocaleLowerCase('en-US')),
    );
    const memberships = new Map<string, OrgRole[]>();
    if (this.isPlatformAdmin(ownershipEntityRefs)) {
      for (const org of this.everything) memberships.set(org.id, ['admin']);
      return memberships;
    }
    for (const org of this.active) {
      const roles = ORG_ROLES.filter(role =>
        org.roles[role].some(g => refs.has(g)),
      );
      if (roles.length > 0) {
        memberships.set(org.id, roles);
      }
    }
    return memberships;
  }

  /** Reads the source now (after a change); throws when it cannot be read. */
  async reload(): Promise<void> {
    const { source } = this.options;
    if (!source) return;
    const started = this.now();
    const organizations = await source.load();
    this.replace(organizations);
    this.loadedAt = started;
  }

  /**
   * Reads the source again when the snapshot is older than `maxAgeMs` (one read at a time); when
   * the source fails, the last snapshot stays in use and the failure is logged.
   */
  async ensureFresh(): Promise<void> {
    if (!this.options.source) return;
    const maxAge = this.options.maxAgeMs ?? DEFAULT_DIRECTORY_MAX_AGE_MS;
    if (this.now() - this.loadedAt < maxAge) return;
    this.loading ??= this.reload()
      .catch(error => {
        // Tried again after another maxAge, not on every request meanwhile.
        this.loadedAt = this.now();
        this.options.logger?.warn(
          `Could not read the organizations; using the last ones read: ${error}`,
        );
      })
      .finally(() => {
        this.loading = undefined;
      });
    await this.loading;
  }

  /** Express middleware: every request sees organizations at most `maxAgeMs` old. */
  middleware(): RequestHandler {
    return (_req, _res, next) => {
      this.ensureFresh().then(() => next(), next);
    };
  }
}
