import { ResponseError } from '@backstage/errors';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  pipelineCreatePermission,
  pipelineExecutePermission,
  pipelineReadPermission,
  pipelineUpdatePermission,
  type FieldProblem,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { ReactElement } from 'react';
import { costsApiRef } from '../../../api/CostsApi';
import { editorApiRef, type EditorApi } from '../../../api/EditorApi';
import { ingestionApiRef, type IngestionApi } from '../../../api/IngestionApi';
import {
  mockIngestionApi,
  responseError,
} from '../../../api/__testUtils__/mockIngestionApi';
import { pipelineRouteRef, rootRouteRef } from '../../../routes';
import {
  allowOnly,
  financeOrganization,
  pipeline,
  withOwnPermissionCache,
} from '../../__testUtils__/fixtures';
import { mockCostsApi } from '../../costs/__testUtils__/mockCostsApi';
import { editPipelineRouteRef, newPipelineRouteRef } from '../routes';

export const ALL_PERMISSIONS = [
  pipelineReadPermission.name,
  pipelineExecutePermission.name,
  pipelineUpdatePermission.name,
  pipelineCreatePermission.name,
];

/** An {@link EditorApi} of jest mocks: every spec is valid; nothing else is expected. */
export function mockEditorApi(
  overrides: Partial<EditorApi> = {},
): jest.Mocked<EditorApi> {
  const unexpected = (name: string) =>
    jest.fn(async () => {
      throw new Error(`EditorApi.${name} was not expected in this test`);
    });
  return {
    validateSpec: jest.fn(async () => ({ valid: true as const })),
    previewSpec: unexpected('previewSpec'),
    createPipeline: unexpected('createPipeline'),
    savePipelineVersion: unexpected('savePipelineVersion'),
    getDeploymentStatus: jest.fn(async (pipelineId: string) => ({
      pipelineId,
      engine: 'local',
      currentVersion: 3,
      deployed: false,
      behind: false,
    })),
    redeployPipeline: unexpected('redeployPipeline'),
    ...overrides,
  } as jest.Mocked<EditorApi>;
}

/** The ingestion API of the editor's tests: finance, and pipeline `p-1` (404 for others). */
export function editorIngestionApi(overrides: Partial<IngestionApi> = {}) {
  return mockIngestionApi({
    listOrganizations: async () => ({ items: [financeOrganization] }),
    getPipeline: async id => {
      if (id !== 'p-1') throw await responseError(404, 'NotFoundError', id);
      return pipeline;
    },
    ...overrides,
  });
}

/** A 400 with field-path problems, as the backend sends it for a spec. */
export function problemsError(
  problems: FieldProblem[],
): Promise<ResponseError> {
  const body = JSON.stringify({
    error: { name: 'InputError', message: `${problems.length} problems` },
    request: { method: 'POST', url: '/api/ingestion/v1' },
    response: { statusCode: 400 },
    problems,
  });
  return ResponseError.fromResponse({
    ok: false,
    status: 400,
    statusText: 'Bad Request',
    url: 'http://localhost/api/ingestion/v1',
    headers: {
      get: (header: string) =>
        header.toLowerCase() === 'content-type' ? 'application/json' : null,
    },
    text: async () => body,
  } as any);
}

/** Renders `element` at `path` with the editor's routes mounted and the given APIs. */
export function renderEditor(
  element: ReactElement,
  options: {
    path: string;
    mountPath: string;
    editor: EditorApi;
    ingestion?: IngestionApi;
    permissions?: string[];
  },
) {
  return renderInTestApp(withOwnPermissionCache(element), {
    mountPath: options.mountPath,
    initialRouteEntries: [options.path],
    mountedRoutes: {
      '/ingestion': rootRouteRef,
      '/ingestion/pipelines/:pipelineId': pipelineRouteRef,
      '/ingestion/pipelines/:pipelineId/edit': editPipelineRouteRef,
      '/ingestion/pipelines/new': newPipelineRouteRef,
    },
    apis: [
      [ingestionApiRef, options.ingestion ?? editorIngestionApi()],
      [editorApiRef, options.editor],
      [costsApiRef, mockCostsApi()],
      allowOnly(...(options.permissions ?? ALL_PERMISSIONS)),
    ],
  });
}
