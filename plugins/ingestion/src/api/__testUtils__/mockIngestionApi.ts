import { ResponseError } from '@backstage/errors';
import type { IngestionApi } from '../IngestionApi';

/**
 * An {@link IngestionApi} for tests: lists are empty, and anything else a test did not
 * override fails loudly, so a test never passes on a call it did not expect.
 */
export function mockIngestionApi(
  overrides: Partial<IngestionApi> = {},
): IngestionApi {
  const unexpected = (name: string) => async () => {
    throw new Error(`IngestionApi.${name} was not expected in this test`);
  };
  const empty = async () => ({ items: [] });
  return {
    listOrganizations: empty,
    listPipelines: empty,
    listRuns: empty,
    getPipeline: unexpected('getPipeline'),
    getEffectiveSpec: unexpected('getEffectiveSpec'),
    listPipelineVersions: empty,
    getPipelineVersion: unexpected('getPipelineVersion'),
    rollbackPipeline: unexpected('rollbackPipeline'),
    listPipelineRuns: empty,
    triggerRun: unexpected('triggerRun'),
    cancelRun: unexpected('cancelRun'),
    listRunLogs: empty,
    listQualityResults: empty,
    getCosts: unexpected('getCosts'),
    estimateCost: unexpected('estimateCost'),
    listTables: empty,
    getTable: unexpected('getTable'),
    getTableMetadata: unexpected('getTableMetadata'),
    ...overrides,
  };
}

/** The error the client throws for a non-2xx answer, as the backend would send it. */
export function responseError(
  status: number,
  name: string,
  message: string,
): Promise<ResponseError> {
  const body = JSON.stringify({
    error: { name, message },
    request: { method: 'GET', url: '/api/ingestion/v1' },
    response: { statusCode: status },
  });
  return ResponseError.fromResponse({
    ok: false,
    status,
    statusText: name,
    url: 'http://localhost/api/ingestion/v1',
    headers: {
      get: (header: string) =>
        header.toLowerCase() === 'content-type' ? 'application/json' : null,
    },
    text: async () => body,
  } as any);
}
