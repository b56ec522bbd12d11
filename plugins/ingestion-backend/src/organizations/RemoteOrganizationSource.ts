import type {
  AuthService,
  DiscoveryService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { readOrganizationDirectory } from '@ingestion-for-backstage/plugin-ingestion-node';
import { readOrganizationsConfig, withSecrets } from './organizationConfig';
import {
  OrganizationDirectory,
  type OrganizationSource,
} from './OrganizationDirectory';
import type { OrganizationDefinition } from './organizationSchema';

/**
 * Reads every organization from the ingestion backend's `GET /v1/organizations/directory` with
 * the calling plugin's own service credentials: how the permission policy (a module of the
 * permission plugin, with its own database) learns of organizations created or retired at run time.
 */
export class RemoteOrganizationSource implements OrganizationSource {
  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
      fetch?: typeof globalThis.fetch;
    },
  ) {}

  async load() {
    const { items } = await readOrganizationDirectory(this.options);
    return items.map(record => {
      const {
        origin: _origin,
        retired: _retired,
        retiredAt,
        createdAt: _createdAt,
        updatedAt: _updatedAt,
        createdBy: _createdBy,
        updatedBy: _updatedBy,
        ...definition
      } = record;
      return withSecrets(
        definition as OrganizationDefinition,
        undefined,
        retiredAt,
      );
    });
  }
}

/**
 * The directory of a plugin other than the ingestion backend (the permission policy): config's
 * organizations until the ingestion backend answers, then the backend's, read again when older
 * than `ingestion.organizationsCacheSeconds` (default 5) at the next decision.
 */
export function createRemoteOrganizationDirectory(options: {
  config: RootConfigService;
  discovery: DiscoveryService;
  auth: AuthService;
  logger: LoggerService;
}): OrganizationDirectory {
  const { config } = options;
  return new OrganizationDirectory(
    readOrganizationsConfig(config),
    config.getOptionalStringArray('ingestion.platformAdmins') ?? [],
    {
      source: new RemoteOrganizationSource(options),
      maxAgeMs:
        (config.getOptionalNumber('ingestion.organizationsCacheSeconds') ?? 5) *
        1000,
      logger: options.logger,
      // The config seed is only a stand-in: read the backend at the first decision.
      initiallyStale: true,
    },
  );
}
