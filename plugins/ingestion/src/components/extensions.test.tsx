import { renderTestApp } from '@backstage/frontend-test-utils';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import type { ExtensionDefinition } from '@backstage/frontend-plugin-api';
import { configure, screen } from '@testing-library/react';
import { ingestionApiRef } from '../api/IngestionApi';
import { mockIngestionApi } from '../api/__testUtils__/mockIngestionApi';
import { allowOnly } from './__testUtils__/fixtures';
import {
  pipelineEntityContent,
  pipelineRunsEntityCard,
  tableEntityContent,
} from './extensions';

jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 15_000 });

const entity = (kind: string, type: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name: 'x', namespace: 'finance', annotations: {} },
  spec: { type, owner: 'group:default/finance' },
});

function render(kind: string, type: string, extension: ExtensionDefinition) {
  renderTestApp({
    extensions: [
      createTestEntityPage({ entity: entity(kind, type) }),
      extension,
    ],
    apis: [[ingestionApiRef, mockIngestionApi()], allowOnly()],
  });
}

describe('entity tabs and cards', () => {
  it.each([
    ['Component', 'data-pipeline', pipelineEntityContent, 'pipeline-id'],
    ['Component', 'data-pipeline', pipelineRunsEntityCard, 'pipeline-id'],
    ['Resource', 'iceberg-table', tableEntityContent, 'table-id'],
  ])('show on a %s of type %s', async (kind, type, extension, annotation) => {
    render(kind, type, extension);
    // Without the annotation they say which one they need: proof they rendered.
    expect(
      (
        await screen.findAllByText(
          new RegExp(`ingestion.backstage.io/${annotation}`),
        )
      )[0],
    ).toBeInTheDocument();
  });

  it.each([
    ['Component', 'service', pipelineEntityContent],
    ['Component', 'service', pipelineRunsEntityCard],
    ['Resource', 'mysql-table', tableEntityContent],
    ['Resource', 'data-pipeline', pipelineEntityContent],
    ['Component', 'iceberg-table', tableEntityContent],
  ])('stay off a %s of type %s', async (kind, type, extension) => {
    render(kind, type, extension);
    expect(await screen.findByTestId('empty-entity-page')).toBeInTheDocument();
  });
});
