import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  pipelineReadPermission,
  tableReadPermission,
  type DataTable,
  type QualityResult,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import type { QualityStore } from '../database/QualityStore';
import type { TablesStore } from '../database/TablesStore';

/** Tables and quality results, as the caller's data permissions allow. */
export class TablesService {
  constructor(
    private readonly options: {
      tables: TablesStore;
      quality: QualityStore;
      authorizer: IngestionAuthorizer;
    },
  ) {}

  async list(
    credentials: BackstageCredentials,
    query: {
      organization?: string;
      pipelineId?: string;
      cursor?: string;
      limit: number;
    },
  ): Promise<{ items: DataTable[]; nextCursor?: string }> {
    const filter = await this.options.authorizer.accessFilter(
      credentials,
      tableReadPermission,
      query.organization,
    );
    return this.options.tables.list(filter, query);
  }

  async get(credentials: BackstageCredentials, id: string): Promise<DataTable> {
    const filter = await this.options.authorizer.accessFilter(
      credentials,
      tableReadPermission,
    );
    const table = await this.options.tables.get(filter, id);
    if (!table) {
      throw new NotFoundError(`Table '${id}' not found`);
    }
    return table;
  }

  async quality(
    credentials: BackstageCredentials,
    query: {
      organization?: string;
      pipelineId?: string;
      runId?: string;
      cursor?: string;
      limit: number;
    },
  ): Promise<{ items: QualityResult[]; nextCursor?: string }> {
    const filter = await this.options.authorizer.accessFilter(
      credentials,
      pipelineReadPermission,
      query.organization,
    );
    return this.options.quality.list(filter, query);
  }
}
