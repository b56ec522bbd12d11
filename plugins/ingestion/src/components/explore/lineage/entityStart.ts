import {
  ANNOTATION_ORGANIZATION,
  ANNOTATION_PIPELINE_ID,
  ANNOTATION_TABLE_IDENTIFIER,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { LineageStart } from './LineageExplorer';

/** The parts of a catalog entity a lineage start is read from. */
interface EntityLike {
  kind: string;
  metadata: { annotations?: Record<string, string> };
}

/**
 * Where an entity's lineage starts: a pipeline Component by its pipeline id, an Iceberg table
 * Resource by its identifier (`iceberg:<catalog>.<namespace>.<table>`); undefined for anything else.
 */
export function lineageStartOf(entity: EntityLike): LineageStart | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const organization = annotations[ANNOTATION_ORGANIZATION];
  if (!organization) return undefined;
  const pipelineId = annotations[ANNOTATION_PIPELINE_ID];
  if (entity.kind.toLocaleLowerCase('en-US') === 'component' && pipelineId) {
    return { organization, pipelineId };
  }
  const identifier = annotations[ANNOTATION_TABLE_IDENTIFIER];
  if (identifier) return { organization, dataset: `iceberg:${identifier}` };
  return undefined;
}

/** The explorer page's query for a start (see `LineageExplorerPage`). */
export function lineageSearch(start: LineageStart): string {
  const params = new URLSearchParams({ organization: start.organization });
  if (start.pipelineId) params.set('pipeline', start.pipelineId);
  if (start.dataset) params.set('dataset', start.dataset);
  return params.toString();
}
