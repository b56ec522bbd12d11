import { EmptyState, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  ANNOTATION_ORGANIZATION,
  ANNOTATION_TABLE_ID,
  ANNOTATION_TABLE_IDENTIFIER,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { ingestionApiRef, type IngestionApi } from '../../api/IngestionApi';
import { ApiErrorPanel } from '../common/ApiErrorPanel';
import { PipelineCost } from '../pipeline/PipelineCost';
import { PipelineQuality } from '../pipeline/PipelineQuality';
import { TableMetadataView } from './TableMetadataView';

/** Pages of the organization's tables searched for an identifier before giving up. */
const MAX_PAGES = 20;

/**
 * The table id of an entity: its `table-id` annotation, else the table whose identifier its
 * `table-identifier` annotation names (entities written by hand carry only that).
 */
export async function resolveTableId(
  api: IngestionApi,
  annotations: Record<string, string>,
): Promise<string | undefined> {
  const id = annotations[ANNOTATION_TABLE_ID];
  if (id) return id;
  const identifier = annotations[ANNOTATION_TABLE_IDENTIFIER];
  const organization = annotations[ANNOTATION_ORGANIZATION];
  if (!identifier || !organization) return undefined;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const tables = await api.listTables({ organization, cursor, limit: 100 });
    const table = tables.items.find(t => t.identifier === identifier);
    if (table) return table.id;
    cursor = tables.nextCursor;
    if (!cursor) break;
  }
  return undefined;
}

/** The "Iceberg table" tab of an `iceberg-table` Resource. */
export function TableEntityContent() {
  const { entity } = useEntity();
  const annotations = entity.metadata.annotations ?? {};
  const api = useApi(ingestionApiRef);
  const hasRef = Boolean(
    annotations[ANNOTATION_TABLE_ID] ||
      annotations[ANNOTATION_TABLE_IDENTIFIER],
  );
  const { value, loading, error } = useAsync(async () => {
    const tableId = await resolveTableId(api, annotations);
    if (!tableId) return undefined;
    const [table, metadata] = await Promise.all([
      api.getTable(tableId),
      api.getTableMetadata(tableId),
    ]);
    return { table, metadata };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, entity.metadata.uid, entity.metadata.name]);

  if (!hasRef) {
    return (
      <MissingAnnotationEmptyState
        annotation={[ANNOTATION_TABLE_ID, ANNOTATION_TABLE_IDENTIFIER]}
      />
    );
  }
  if (loading) return <Progress />;
  if (error) return <ApiErrorPanel error={error} resource="This table" />;
  if (!value) {
    return (
      <EmptyState
        missing="data"
        title="Not found"
        description={`No table ${annotations[ANNOTATION_TABLE_IDENTIFIER]} that you may read in organization ${annotations[ANNOTATION_ORGANIZATION]}.`}
      />
    );
  }
  const { table } = value;
  return (
    <>
      <TableMetadataView table={table} metadata={value.metadata} />
      {table.pipelineId && (
        // What the table is worth and costs comes from the pipeline that writes it.
        <div style={{ marginTop: 24 }}>
          <Typography variant="h6" gutterBottom>
            Quality of the writes (pipeline {table.pipelineId})
          </Typography>
          <PipelineQuality pipelineId={table.pipelineId} />
          <Typography variant="h6" gutterBottom style={{ marginTop: 24 }}>
            Cost of the writes
          </Typography>
          <PipelineCost
            pipeline={{
              id: table.pipelineId,
              organization: table.organization,
            }}
          />
        </div>
      )}
    </>
  );
}
