import type {
  HttpAuthService,
  LoggerService,
  RootConfigService,
  SchedulerService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type { AuditRecord } from '../audit/types';
import {
  OrganizationAdminService,
  type OrganizationsSource,
} from './OrganizationAdminService';
import {
  readConfiguredOrganizations,
  readOrganizationsConfig,
  withSecrets,
} from './organizationConfig';
import { OrganizationDirectory } from './OrganizationDirectory';
import { DatabaseOrganizationStore } from './OrganizationStore';
import { createOrganizationsRouter } from './router';

export { OrganizationDirectory } from './OrganizationDirectory';
export type { Memberships, OrganizationSource } from './OrganizationDirectory';

/** `ingestion.organizationsSource`: the store (default, seeded from config) or config alone. */
export function organizationsSourceOf(
  config: RootConfigService,
): OrganizationsSource {
  const source =
    config.getOptionalString('ingestion.organizationsSource') ?? 'database';
  if (source !== 'database' && source !== 'config') {
    throw new Error(
      `ingestion.organizationsSource must be database or config, got '${source}'`,
    );
  }
  return source;
}

/**
 * The organization directory of the backend. With `ingestion.organizationsSource: database` (the
 * default) organizations live in the store: config entries whose id the store does not hold yet
 * are added at start (the seed: all of them on the first start), entries it holds are left as the
 * store has them (the API changes them), and the directory re-reads the store every few seconds
 * (`ingestion.organizationsCacheSeconds`, default 5) and at once after a change. With `config`,
 * `ingestion.organizations` is the directory and the write routes answer 409.
 */
export async function createOrganizationDirectory(options: {
  config: RootConfigService;
  knex: Knex;
  logger: LoggerService;
  scheduler: SchedulerService;
}) {
  const { config, knex, logger, scheduler } = options;
  const source = organizationsSourceOf(config);
  const platformAdmins =
    config.getOptionalStringArray('ingestion.platformAdmins') ?? [];
  if (source === 'config') {
    return {
      source,
      directory: new OrganizationDirectory(
        readOrganizationsConfig(config),
        platformAdmins,
      ),
      store: undefined,
    };
  }
  const store = new DatabaseOrganizationStore(knex);
  const configured = readConfiguredOrganizations(config);
  const now = Date.now();
  for (const [index, definition] of configured.definitions.entries()) {
    // A millisecond apart, so the store lists them in config's order.
    const at = new Date(now + index);
    if (
      await store.insert(definition, { origin: 'config', actor: 'config', at })
    ) {
      logger.info(
        `Organization '${definition.id}' added to the store from ingestion.organizations`,
      );
    }
  }
  const load = async () =>
    (await store.list()).map(stored =>
      withSecrets(
        stored.definition,
        configured.secrets.get(stored.definition.id),
        stored.retiredAt,
      ),
    );
  const directory = new OrganizationDirectory(await load(), platformAdmins, {
    source: { load },
    maxAgeMs:
      (config.getOptionalNumber('ingestion.organizationsCacheSeconds') ?? 5) *
      1000,
    logger,
  });
  // Background work (schedules, billing, sampling) sees changes made through other replicas too.
  await scheduler.scheduleTask({
    id: 'ingestion-organizations-refresh',
    scope: 'local',
    frequency: { seconds: 10 },
    timeout: { seconds: 30 },
    fn: () => directory.ensureFresh(),
  });
  return { source, directory, store };
}

/** The `/v1/organizations` writes and directory, for `createRouter`'s `extraRouters`. */
export function createOrganizationsApi(options: {
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  audit: { record(record: AuditRecord): Promise<void> };
  organizations: Awaited<ReturnType<typeof createOrganizationDirectory>>;
}) {
  const { organizations } = options;
  return {
    path: '/organizations',
    router: createOrganizationsRouter({
      httpAuth: options.httpAuth,
      service: OrganizationAdminService.create({
        store: organizations.store,
        directory: organizations.directory,
        userInfo: options.userInfo,
        audit: options.audit,
        source: organizations.source,
      }),
    }),
  };
}
