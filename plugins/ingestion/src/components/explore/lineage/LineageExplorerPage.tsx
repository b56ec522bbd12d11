import { useSearchParams } from 'react-router-dom';
import {
  Content,
  EmptyState,
  Header,
  Page,
  Progress,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import useAsync from 'react-use/esm/useAsync';
import type { LineageDirection } from '../../../api/ExploreApi';
import { ApiErrorPanel } from '../../common/ApiErrorPanel';
import { lineageStartOf } from './entityStart';
import { DEPTHS, LineageExplorer, type LineageStart } from './LineageExplorer';

const DIRECTIONS: LineageDirection[] = ['both', 'upstream', 'downstream'];

/**
 * The start named by the page's query: `organization` with `pipeline` or `dataset`, or `entity`
 * (a catalog entity ref, looked up in the catalog).
 */
function useStart(params: URLSearchParams) {
  const catalogApi = useApi(catalogApiRef);
  const entityRef = params.get('entity') ?? undefined;
  const organization = params.get('organization') ?? undefined;
  const pipelineId = params.get('pipeline') ?? undefined;
  const dataset = params.get('dataset') ?? undefined;
  return useAsync(async (): Promise<LineageStart | undefined> => {
    if (entityRef) {
      const entity = await catalogApi.getEntityByRef(entityRef);
      return entity ? lineageStartOf(entity) : undefined;
    }
    if (organization && (pipelineId || dataset)) {
      return { organization, pipelineId, dataset };
    }
    return undefined;
  }, [catalogApi, entityRef, organization, pipelineId, dataset]);
}

/** `/ingestion/lineage`: the lineage explorer, its start, depth and direction in the URL. */
export function LineageExplorerPage() {
  const [params, setParams] = useSearchParams();
  const { value: start, loading, error } = useStart(params);
  const depthParam = Number(params.get('depth'));
  const depth = (DEPTHS as readonly number[]).includes(depthParam)
    ? depthParam
    : 1;
  const directionParam = params.get('direction') as LineageDirection;
  const direction = DIRECTIONS.includes(directionParam)
    ? directionParam
    : 'both';
  let body: JSX.Element;
  if (loading) {
    body = <Progress />;
  } else if (error) {
    body = <ApiErrorPanel error={error} resource="This entity" />;
  } else if (!start) {
    body = (
      <EmptyState
        missing="info"
        title="Pick a pipeline or a table"
        description="Open the lineage explorer from a pipeline or an Iceberg table (its Lineage tab), or give ?entity=<entity ref> in the address."
      />
    );
  } else {
    body = (
      <LineageExplorer
        key={`${start.organization}|${start.pipelineId}|${start.dataset}`}
        start={start}
        depth={depth}
        direction={direction}
        onChange={change => {
          const next = new URLSearchParams(params);
          next.set('depth', String(change.depth));
          next.set('direction', change.direction);
          setParams(next, { replace: true });
        }}
      />
    );
  }
  return (
    <Page themeId="tool">
      <Header title="Lineage explorer" type="Ingestion" />
      <Content>{body}</Content>
    </Page>
  );
}
