import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_ORGANIZATION,
  ANNOTATION_PIPELINE_ID,
  ANNOTATION_TABLE_IDENTIFIER,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import Box from '@material-ui/core/Box';
import { lineageRouteRef } from '../routes';
import { lineageSearch, lineageStartOf } from './entityStart';
import { LineageExplorer } from './LineageExplorer';

/** The "Lineage" tab of pipeline Components and Iceberg table Resources. */
export function LineageEntityContent() {
  const { entity } = useEntity();
  const start = lineageStartOf(entity);
  const explorer = useRouteRef(lineageRouteRef);
  if (!start) {
    return (
      <MissingAnnotationEmptyState
        annotation={[
          ANNOTATION_ORGANIZATION,
          ANNOTATION_PIPELINE_ID,
          ANNOTATION_TABLE_IDENTIFIER,
        ]}
      />
    );
  }
  return (
    <>
      {explorer && (
        <Box mb={1}>
          <Link to={`${explorer()}?${lineageSearch(start)}`}>
            Open in the lineage explorer
          </Link>
        </Box>
      )}
      <LineageExplorer start={start} height={520} />
    </>
  );
}
