import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import fs from 'node:fs';
import yaml from 'yaml';

const MANAGED_BY_LOCATION = 'backstage.io/managed-by-location';
const MANAGED_BY_ORIGIN_LOCATION = 'backstage.io/managed-by-origin-location';

/**
 * Puts the pipeline templates shipped in this package into the catalog, so a portal needs no
 * `catalog.locations` entry for them: one `Template` entity per file of the configured variant,
 * each managed by its `file:` location (what a location entry would have given it).
 */
export class IngestionTemplateProvider implements EntityProvider {
  constructor(
    private readonly options: { files: string[]; logger: LoggerService },
  ) {}

  getProviderName(): string {
    return 'ingestion-templates';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    const entities = this.options.files.map(file => {
      const template = yaml.parse(fs.readFileSync(file, 'utf8'));
      if (template?.kind !== 'Template') {
        throw new Error(`${file} holds no Template entity`);
      }
      const location = `file:${file}`;
      return {
        locationKey: `${this.getProviderName()}:${location}`,
        entity: {
          ...template,
          metadata: {
            namespace: 'default',
            ...template.metadata,
            annotations: {
              ...template.metadata?.annotations,
              [MANAGED_BY_LOCATION]: location,
              [MANAGED_BY_ORIGIN_LOCATION]: location,
            },
          },
        },
      };
    });
    await connection.applyMutation({ type: 'full', entities });
    this.options.logger.info(
      `Registered ${entities.length} ingestion pipeline templates`,
    );
  }
}
