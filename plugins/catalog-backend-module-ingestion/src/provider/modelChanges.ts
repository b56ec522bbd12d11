import type { CatalogChanges } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { CatalogModel, SubjectKey } from './CatalogModel';
import type { IngestionCatalogSource } from './IngestionCatalogClient';

/** How the provider's model follows the backend's catalog export: pages read, changes filed. */

/**
 * Reads every page of a list, filing each item with `add`. The next page is asked for before
 * this one is filed, so the ingestion database works meanwhile.
 */
export async function readAllPages<T>(
  read: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string }>,
  add: (item: T) => unknown,
): Promise<void> {
  for (let page = await read(); ; ) {
    const next = page.nextCursor ? read(page.nextCursor) : undefined;
    next?.catch(() => undefined); // awaited below; filing may throw first
    page.items.forEach(add);
    if (!next) return;
    page = await next;
  }
}

/**
 * Files a change poll's answer in the model: changed pipelines and tables, and deletions (seen as
 * counts below what the model holds, then found by comparing ids). Returns the subjects affected,
 * or undefined when only a full refresh can follow: the answer was truncated, an organization was
 * added, changed or retired (`organizationsVersion` is the one the model holds), or something was
 * created that is not in the change list (it fell outside the overlap).
 */
export async function fileChanges(
  model: CatalogModel,
  changes: CatalogChanges,
  source: Pick<IngestionCatalogSource, 'ids'>,
  organizationsVersion: string | undefined,
): Promise<Set<SubjectKey> | undefined> {
  const organizations = Object.keys(changes.counts).sort();
  if (
    changes.truncated ||
    organizations.join('\n') !== model.organizationIds().join('\n') ||
    // An organization was added, changed or retired: its System, and all it holds, again.
    (changes.organizationsVersion !== undefined &&
      changes.organizationsVersion !== organizationsVersion)
  ) {
    return undefined;
  }
  const affected = new Set<SubjectKey>();
  changes.pipelines.forEach(p =>
    model.setPipeline(p).forEach(k => affected.add(k)),
  );
  changes.tables.forEach(t => model.setTable(t).forEach(k => affected.add(k)));
  // Deletions show as counts below what the model holds: compare ids then.
  for (const org of organizations) {
    const held = model.count(org);
    const counted = changes.counts[org];
    if (held.pipelines !== counted.pipelines) {
      const ids = new Set(await source.ids(org, 'pipelines'));
      for (const id of model.pipelineIds(org)) {
        if (!ids.has(id)) {
          model.removePipeline(id).forEach(k => affected.add(k));
        }
      }
    }
    if (held.tables !== counted.tables) {
      const ids = new Set(await source.ids(org, 'tables'));
      for (const id of model.tableIds(org)) {
        if (!ids.has(id)) model.removeTable(id).forEach(k => affected.add(k));
      }
    }
    const now = model.count(org);
    if (now.pipelines !== counted.pipelines || now.tables !== counted.tables) {
      // Something was created and is not in the change list (it fell outside the overlap).
      return undefined;
    }
  }
  return affected;
}
