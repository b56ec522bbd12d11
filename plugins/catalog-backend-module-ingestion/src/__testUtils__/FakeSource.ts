import type {
  CatalogChanges,
  CatalogOrganization,
  CatalogPipeline,
  CatalogTable,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { IngestionCatalogSource } from '../provider/IngestionCatalogClient';
import { organization } from './fixtures';

/** The backend's export over an in-memory state, with `updatedAt` as the change clock. */
export class FakeSource implements IngestionCatalogSource {
  organizationsList: CatalogOrganization[] = [organization('finance')];
  pipelinesById = new Map<string, CatalogPipeline>();
  tablesById = new Map<string, CatalogTable>();
  clock = 1_000_000;
  pageSize = 2;

  tick() {
    this.clock += 10_000;
    return new Date(this.clock).toISOString();
  }
  putPipeline(p: CatalogPipeline) {
    this.pipelinesById.set(p.id, { ...p, updatedAt: this.tick() });
  }
  putTable(t: CatalogTable) {
    this.tablesById.set(t.id, { ...t, updatedAt: this.tick() });
  }

  async organizations() {
    return {
      items: this.organizationsList,
      version: JSON.stringify(this.organizationsList),
    };
  }
  private page<T extends { id: string }>(items: T[], cursor?: string) {
    const sorted = items.sort((a, b) => a.id.localeCompare(b.id));
    const start = cursor ? sorted.findIndex(i => i.id === cursor) + 1 : 0;
    const slice = sorted.slice(start, start + this.pageSize);
    return {
      items: slice,
      nextCursor:
        start + this.pageSize < sorted.length
          ? slice[slice.length - 1].id
          : undefined,
    };
  }
  async pipelines(cursor?: string) {
    return this.page([...this.pipelinesById.values()], cursor);
  }
  async tables(cursor?: string) {
    return this.page([...this.tablesById.values()], cursor);
  }
  async changes(
    since: number,
    _options?: { wait?: number; signal?: AbortSignal },
  ): Promise<CatalogChanges> {
    const changed = <T extends { updatedAt: string }>(items: T[]) =>
      items.filter(i => Date.parse(i.updatedAt) >= since - 5_000);
    const counts: CatalogChanges['counts'] = {};
    for (const org of this.organizationsList.filter(o => !o.retired)) {
      counts[org.id] = {
        pipelines: [...this.pipelinesById.values()].filter(
          p => p.organization === org.id,
        ).length,
        tables: [...this.tablesById.values()].filter(
          t => t.organization === org.id,
        ).length,
      };
    }
    return {
      pipelines: changed([...this.pipelinesById.values()]),
      tables: changed([...this.tablesById.values()]),
      counts,
      until: String(this.clock + 1),
      truncated: false,
      organizationsVersion: JSON.stringify(this.organizationsList),
    };
  }
  async ids(org: string, kind: 'pipelines' | 'tables') {
    const items =
      kind === 'pipelines'
        ? [...this.pipelinesById.values()].filter(p => p.organization === org)
        : [...this.tablesById.values()].filter(t => t.organization === org);
    return items.map(i => i.id);
  }
}
