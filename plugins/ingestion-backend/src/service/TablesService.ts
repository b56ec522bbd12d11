import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  auditsTableReads,
  pipelineReadPermission,
  tableReadPermission,
  type DataTable,
  type QualityResult,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import type { QualityStore } from '../database/QualityStore';
import type { TablesStore } from '../database/TablesStore';
import type { MutationAudit } from './PipelinesService';

/** Tables and quality results, as the caller's data permissions allow. */
export class TablesService {
  constructor(
    private readonly options: {
      tables: TablesStore;
      quality: QualityStore;
      authorizer: IngestionAuthorizer;
      /** Reads of restricted and PII tables are recorded here (the governance policy's `audit_access`). */
      audit?: MutationAudit;
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

  /**
   * The table, if the caller may read it (404 otherwise). `view` names what the caller reads of it
   * (`details`, or `metadata`: schema and snapshots) for the audit of restricted and PII tables.
   */
  async get(
    credentials: BackstageCredentials,
    id: string,
    view: 'details' | 'metadata' = 'details',
  ): Promise<DataTable> {
    const filter = await this.options.authorizer.accessFilter(
      credentials,
      tableReadPermission,
    );
    const table = await this.options.tables.get(filter, id);
    if (!table) {
      throw new NotFoundError(`Table '${id}' not found`);
    }
    if (auditsTableReads(table)) {
      await this.options.audit?.record({
        credentials,
        organizationId: table.organization,
        action: 'table.read',
        targetType: 'table',
        targetId: table.id,
        outcome: 'success',
        meta: {
          view,
          ...(table.identifier ? { identifier: table.identifier } : {}),
          ...(table.classification
            ? { classification: table.classification }
            : {}),
          piiColumns: table.piiColumns ?? [],
        },
      });
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
