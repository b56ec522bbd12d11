import type {
  BackstageCredentials,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { Request } from 'express';
import type { AuditRecord } from '../audit/types';
import { definitionOfOrganization } from './organizationConfig';
import type { OrganizationDirectory } from './OrganizationDirectory';
import {
  parseOrganizationDefinition,
  type OrganizationDefinition,
} from './organizationSchema';
import type {
  OrganizationOrigin,
  OrganizationStore,
  StoredOrganization,
} from './OrganizationStore';

/** An organization as `GET /v1/organizations/directory` and the write routes return it. */
export interface OrganizationRecord extends OrganizationDefinition {
  origin: OrganizationOrigin;
  retired: boolean;
  retiredAt?: string;
  createdAt?: string;
  updatedAt?: string;
  createdBy?: string;
  updatedBy?: string;
}

/** Backend plugins that read every organization (the policy, the catalog module, the scaffolder's actions). */
export const DIRECTORY_READERS = [
  'plugin:permission',
  'plugin:catalog',
  'plugin:scaffolder',
];

/** Where organizations come from (`ingestion.organizationsSource`). */
export type OrganizationsSource = 'database' | 'config';

function recordOf(stored: StoredOrganization): OrganizationRecord {
  return {
    ...stored.definition,
    origin: stored.origin,
    retired: stored.retired,
    ...(stored.retiredAt && { retiredAt: stored.retiredAt }),
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
    createdBy: stored.createdBy,
    updatedBy: stored.updatedBy,
  };
}

/** Top-level settings that differ, for the audit event's meta. */
function changedFields(
  before: OrganizationDefinition,
  after: OrganizationDefinition,
): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys]
    .filter(
      key =>
        JSON.stringify(before[key as keyof OrganizationDefinition]) !==
        JSON.stringify(after[key as keyof OrganizationDefinition]),
    )
    .sort();
}

/**
 * Organizations at run time: platform admins (`ingestion.platformAdmins`) create, update and
 * retire them. Every change and every refused attempt is audited in the organization's audit
 * log, and the directory reads the store again at once, so the next request sees the change.
 */
export class OrganizationAdminService {
  static create(options: {
    store?: OrganizationStore;
    directory: OrganizationDirectory;
    userInfo: UserInfoService;
    audit: { record(record: AuditRecord): Promise<void> };
    source: OrganizationsSource;
    clock?: () => Date;
  }) {
    return new OrganizationAdminService(options);
  }

  private constructor(
    private readonly options: {
      store?: OrganizationStore;
      directory: OrganizationDirectory;
      userInfo: UserInfoService;
      audit: { record(record: AuditRecord): Promise<void> };
      source: OrganizationsSource;
      clock?: () => Date;
    },
  ) {}

  private now() {
    return this.options.clock?.() ?? new Date();
  }

  private async isPlatformAdmin(credentials: BackstageCredentials) {
    if ((credentials.principal as { type?: string }).type !== 'user') {
      return false;
    }
    const info = await this.options.userInfo.getUserInfo(
      credentials as BackstageCredentials<never>,
    );
    return this.options.directory.isPlatformAdmin(info.ownershipEntityRefs);
  }

  /** 403 (audited) unless the caller is a platform admin. */
  private async requirePlatformAdmin(
    credentials: BackstageCredentials,
    action: string,
    organizationId: string,
    request?: Request,
  ) {
    if (await this.isPlatformAdmin(credentials)) return;
    const error = new NotAllowedError(
      'Only platform admins (ingestion.platformAdmins) manage organizations',
    );
    await this.options.audit.record({
      credentials,
      request,
      organizationId,
      action,
      targetType: 'organization',
      targetId: organizationId,
      outcome: 'denied',
      reason: error.message,
      // Only organizations that exist get the event in their log; made-up ids are logged only.
      persist: this.options.directory.find(organizationId) !== undefined,
    });
    throw error;
  }

  private requireStore(): OrganizationStore {
    if (this.options.source !== 'database' || !this.options.store) {
      throw new ConflictError(
        'Organizations come from config here (ingestion.organizationsSource: config): change app-config instead',
      );
    }
    return this.options.store;
  }

  private parse(body: unknown, id?: string): OrganizationDefinition {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new InputError('body: must be an organization object');
    }
    const input = body as Record<string, unknown>;
    if (id !== undefined && input.id !== undefined && input.id !== id) {
      throw new InputError(`id: must be '${id}' (the path's), or left out`);
    }
    const definition = parseOrganizationDefinition(
      id === undefined ? input : { ...input, id },
    );
    if (definition.engine === 'databricks' && !definition.databricks) {
      throw new InputError(
        'databricks: required when engine is databricks (the workspace link)',
      );
    }
    return definition;
  }

  /**
   * Every organization, retired ones included: for platform admins (the organizations page) and
   * for the permission policy and the catalog module (service credentials). No secrets.
   */
  async list(
    credentials: BackstageCredentials,
  ): Promise<{ items: OrganizationRecord[]; version: string }> {
    const principal = credentials.principal as {
      type?: string;
      subject?: string;
    };
    const reader =
      principal.type === 'service' &&
      DIRECTORY_READERS.includes(principal.subject ?? '');
    if (!reader && !(await this.isPlatformAdmin(credentials))) {
      throw new NotAllowedError(
        'The organizations directory is for platform admins and the portal’s permission, catalog and scaffolder backends',
      );
    }
    const { directory, store, source } = this.options;
    await directory.ensureFresh();
    if (source === 'database' && store) {
      return {
        items: (await store.list()).map(recordOf),
        version: directory.version,
      };
    }
    return {
      items: directory.all.map(org => ({
        ...definitionOfOrganization(org),
        origin: 'config',
        retired: false,
      })),
      version: directory.version,
    };
  }

  async create(
    credentials: BackstageCredentials,
    body: unknown,
    request?: Request,
  ): Promise<OrganizationRecord> {
    const id = String((body as { id?: unknown } | null)?.id ?? '');
    await this.requirePlatformAdmin(
      credentials,
      'organization.create',
      id,
      request,
    );
    const store = this.requireStore();
    const definition = this.parse(body);
    const at = this.now();
    const actor = (credentials.principal as { userEntityRef: string })
      .userEntityRef;
    if (!(await store.insert(definition, { origin: 'api', actor, at }))) {
      throw new ConflictError(
        `Organization '${definition.id}' exists (ids of retired organizations are not reused)`,
      );
    }
    await this.options.directory.reload();
    await this.options.audit.record({
      credentials,
      request,
      organizationId: definition.id,
      action: 'organization.create',
      targetType: 'organization',
      targetId: definition.id,
      outcome: 'success',
      severityLevel: 'high',
      meta: {
        name: definition.name,
        costCenter: definition.costCenter,
        environment: definition.environment,
        engine: definition.engine,
      },
    });
    return recordOf((await store.get(definition.id))!);
  }

  async update(
    credentials: BackstageCredentials,
    id: string,
    body: unknown,
    request?: Request,
  ): Promise<OrganizationRecord> {
    await this.requirePlatformAdmin(
      credentials,
      'organization.update',
      id,
      request,
    );
    const store = this.requireStore();
    const before = await store.get(id);
    if (!before) throw new NotFoundError(`Organization '${id}' not found`);
    const definition = this.parse(body, id);
    const at = this.now();
    const actor = (credentials.principal as { userEntityRef: string })
      .userEntityRef;
    await store.update(definition, { actor, at });
    await this.options.directory.reload();
    await this.options.audit.record({
      credentials,
      request,
      organizationId: id,
      action: 'organization.update',
      targetType: 'organization',
      targetId: id,
      outcome: 'success',
      severityLevel: 'high',
      meta: { changed: changedFields(before.definition, definition) },
    });
    return recordOf((await store.get(id))!);
  }

  /**
   * Retires an organization: its schedules stop and it is hidden from everyone but platform
   * admins; its pipelines, runs, tables, costs and audit log stay. Retiring twice changes nothing.
   */
  async retire(
    credentials: BackstageCredentials,
    id: string,
    request?: Request,
  ): Promise<OrganizationRecord> {
    await this.requirePlatformAdmin(
      credentials,
      'organization.retire',
      id,
      request,
    );
    const store = this.requireStore();
    const before = await store.get(id);
    if (!before) throw new NotFoundError(`Organization '${id}' not found`);
    if (!before.retired) {
      const actor = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      await store.retire(id, { actor, at: this.now() });
      await this.options.directory.reload();
      await this.options.audit.record({
        credentials,
        request,
        organizationId: id,
        action: 'organization.retire',
        targetType: 'organization',
        targetId: id,
        outcome: 'success',
        severityLevel: 'high',
        meta: { name: before.definition.name },
      });
    }
    return recordOf((await store.get(id))!);
  }
}
