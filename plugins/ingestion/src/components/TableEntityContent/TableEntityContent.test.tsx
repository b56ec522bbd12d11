import { renderInTestApp } from '@backstage/frontend-test-utils';
import type { DataTable } from '@ingestion-for-backstage/plugin-ingestion-common';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { configure, screen, within } from '@testing-library/react';
import { costsApiRef, type CostsApi } from '../../api/CostsApi';
import { ingestionApiRef, type IngestionApi } from '../../api/IngestionApi';
import {
  mockIngestionApi,
  responseError,
} from '../../api/__testUtils__/mockIngestionApi';
import type { TableMetadata } from '../../api/types';
import { pipelineRouteRef } from '../../routes';
import { qualityResult, run } from '../__testUtils__/fixtures';
import { mockCostsApi } from '../costs/__testUtils__/mockCostsApi';
import { TableEntityContent } from './TableEntityContent';

jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 15_000 });

const table: DataTable = {
  id: 't-1',
  organization: 'healthcare',
  format: 'iceberg',
  identifier: 'health_catalog.clinical.patient_visits',
  owner: 'group:default/healthcare',
  pipelineId: 'p-9',
  classification: 'restricted',
  piiColumns: ['patient_name'],
  createdAt: '2026-11-01T00:00:00Z',
  updatedAt: '2026-11-24T00:00:00Z',
};

const metadata: TableMetadata = {
  identifier: 'health_catalog.clinical.patient_visits',
  tableId: 't-1',
  organization: 'healthcare',
  formatVersion: 2,
  location: '/warehouse/healthcare/clinical/patient_visits',
  currentSchemaId: 1,
  schemas: [
    { 'schema-id': 0, fields: [] },
    {
      'schema-id': 1,
      fields: [
        { id: 1, name: 'visit_id', required: true, type: 'long' },
        { id: 2, name: 'patient_name', required: false, type: 'string' },
        { id: 3, name: 'ssn', required: false, type: 'string' },
        { id: 4, name: 'visited_at', required: false, type: 'timestamptz' },
        {
          id: 5,
          name: 'codes',
          required: false,
          type: { type: 'list', 'element-id': 6, element: 'string' },
        },
      ],
    },
  ],
  partitionSpecs: [
    {
      'spec-id': 0,
      fields: [
        {
          name: 'visited_at_day',
          transform: 'day',
          'source-id': 4,
          'field-id': 1000,
        },
      ],
    },
  ],
  defaultSpecId: 0,
  properties: { 'write.format.default': 'parquet' },
  currentSnapshotId: '8000000000000000002',
  snapshots: [
    {
      snapshotId: '8000000000000000002',
      parentSnapshotId: '8000000000000000001',
      timestampMs: Date.UTC(2026, 10, 24, 2),
      operation: 'overwrite',
      addedRows: 310,
      removedRows: 120,
      totalRows: 1190,
      addedFiles: 2,
      removedFiles: 1,
      runId: 'r-2',
      summary: { operation: 'overwrite', 'ingestion.run-id': 'r-2' },
    },
    {
      snapshotId: '8000000000000000001',
      timestampMs: Date.UTC(2026, 10, 23, 2),
      operation: 'append',
      addedRows: 1000,
      totalRows: 1000,
      addedFiles: 1,
      runId: 'r-1',
      summary: { operation: 'append' },
    },
  ],
  rowCount: 1190,
  dataFileCount: 2,
  sizeBytes: 3 * 1024 * 1024,
  pii: { ssn: ['ssn'] },
};

const entity = (annotations: Record<string, string>) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'patient-visits', namespace: 'healthcare', annotations },
  spec: { type: 'iceberg-table', owner: 'group:default/healthcare' },
});

function render(
  api: IngestionApi,
  annotations: Record<string, string> = {
    'ingestion.backstage.io/table-id': 't-1',
  },
  costs: CostsApi = mockCostsApi(),
) {
  return renderInTestApp(
    <EntityProvider entity={entity(annotations)}>
      <TableEntityContent />
    </EntityProvider>,
    {
      apis: [
        [ingestionApiRef, api],
        [costsApiRef, costs],
      ],
      mountedRoutes: { '/ingestion/pipelines/:pipelineId': pipelineRouteRef },
    },
  );
}

/** The table row whose first match of `text` it holds (a column's name comes before its tags). */
const rowOf = (text: string) =>
  screen.getAllByText(text)[0].closest('tr') as HTMLElement;

describe('TableEntityContent', () => {
  it('shows schema with PII tags, snapshots, partition spec, properties, size and rows', async () => {
    await render(
      mockIngestionApi({
        getTable: async id => ({ ...table, id }),
        getTableMetadata: async () => metadata,
      }),
    );
    expect(await screen.findByText('visit_id')).toBeInTheDocument();
    // Declared personal by the spec, and found by the scanner.
    expect(within(rowOf('patient_name')).getByText('pii')).toBeInTheDocument();
    expect(within(rowOf('ssn')).getAllByText('ssn')).toHaveLength(2);
    expect(within(rowOf('visit_id')).queryByText('pii')).toBeNull();
    expect(
      within(rowOf('codes')).getByText('list<string>'),
    ).toBeInTheDocument();

    const latest = rowOf('8000000000000000002 (current)');
    expect(within(latest).getByText('overwrite')).toBeInTheDocument();
    expect(within(latest).getByText('310')).toBeInTheDocument();
    expect(within(latest).getByText('120')).toBeInTheDocument();
    expect(within(latest).getByText('r-2')).toBeInTheDocument();
    expect(
      within(rowOf('8000000000000000001')).getByText('append'),
    ).toBeInTheDocument();

    expect(
      within(rowOf('visited_at_day')).getByText('day'),
    ).toBeInTheDocument();
    expect(
      within(rowOf('visited_at_day')).getByText('visited_at'),
    ).toBeInTheDocument();
    expect(
      within(rowOf('write.format.default')).getByText('parquet'),
    ).toBeInTheDocument();

    const facts = screen.getByText(/^rows$/i).closest('table') as HTMLElement;
    expect(within(facts).getByText('1,190')).toBeInTheDocument();
    expect(within(facts).getByText('3.0 MB')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'pipeline p-9' })).toHaveAttribute(
      'href',
      '/ingestion/pipelines/p-9',
    );
  });

  it('shows the quality and cost of the pipeline that writes the table', async () => {
    const listQualityResults = jest.fn(async () => ({
      items: [
        qualityResult('r-2', 0, false, { message: '3 visits without id' }),
        qualityResult('r-1', 0, true),
      ],
    }));
    const listPipelineRuns = jest.fn(async () => ({ items: [run('r-2')] }));
    const getSpend = jest.fn(async () => {
      throw await responseError(403, 'NotAllowedError', 'cost.read');
    });
    await render(
      mockIngestionApi({
        getTable: async () => table,
        getTableMetadata: async () => metadata,
        listQualityResults,
        listPipelineRuns,
      }),
      undefined,
      mockCostsApi({ getSpend }),
    );
    expect(
      await screen.findByText('Quality of the writes (pipeline p-9)'),
    ).toBeInTheDocument();
    const rule = (
      await screen.findByText('#1 completeness (customer_id)')
    ).closest('tr') as HTMLElement;
    expect(within(rule).getByText('failed (fail)')).toBeInTheDocument();
    expect(within(rule).getByText('3 visits without id')).toBeInTheDocument();
    expect(listQualityResults).toHaveBeenCalledWith(
      expect.objectContaining({ pipelineId: 'p-9' }),
    );
    // Run cost of the writer; the organization's monthly costs are not open to this user.
    expect(await screen.findByText('$0.83')).toBeInTheDocument();
    expect(listPipelineRuns).toHaveBeenCalledWith('p-9', expect.anything());
    expect(
      await screen.findByText('You do not have access'),
    ).toBeInTheDocument();
    expect(getSpend).toHaveBeenCalledWith(
      expect.objectContaining({ organization: 'healthcare' }),
    );
  });

  it('finds the table by its identifier when the entity has no table id', async () => {
    const listTables = jest.fn(async ({ cursor }: { cursor?: string }) =>
      cursor === 'c2'
        ? { items: [table] }
        : {
            items: [{ ...table, id: 't-0', identifier: 'health_catalog.x.y' }],
            nextCursor: 'c2',
          },
    );
    const getTableMetadata = jest.fn(async () => metadata);
    await render(
      mockIngestionApi({
        listTables: listTables as IngestionApi['listTables'],
        getTable: async () => table,
        getTableMetadata,
      }),
      {
        'ingestion.backstage.io/organization': 'healthcare',
        'ingestion.backstage.io/table-identifier':
          'health_catalog.clinical.patient_visits',
      },
    );
    expect(await screen.findByText('visit_id')).toBeInTheDocument();
    expect(listTables).toHaveBeenCalledWith(
      expect.objectContaining({ organization: 'healthcare', cursor: 'c2' }),
    );
    expect(getTableMetadata).toHaveBeenCalledWith('t-1');
  });

  it('says "not found" when the API answers 404 and asks for the annotation when there is none', async () => {
    const { unmount } = await render(
      mockIngestionApi({
        getTable: async () => {
          throw await responseError(404, 'NotFoundError', "Table 't-1'");
        },
        getTableMetadata: async () => metadata,
      }),
    );
    expect(await screen.findByText('Not found')).toBeInTheDocument();
    unmount();
    await render(mockIngestionApi(), {});
    expect(
      (await screen.findAllByText(/ingestion.backstage.io\/table-id/))[0],
    ).toBeInTheDocument();
  });

  it('shows empty schema and snapshot states for a table nothing was written to', async () => {
    await render(
      mockIngestionApi({
        getTable: async () => table,
        getTableMetadata: async () => ({
          ...metadata,
          schemas: [{ 'schema-id': 0, fields: [] }],
          currentSchemaId: 0,
          snapshots: [],
          partitionSpecs: [],
          properties: {},
          rowCount: 0,
          sizeBytes: 0,
        }),
      }),
    );
    expect(
      await screen.findByText(/No snapshots: nothing has been written/),
    ).toBeInTheDocument();
    expect(screen.getByText('Unpartitioned.')).toBeInTheDocument();
    expect(screen.getByText('No properties.')).toBeInTheDocument();
  });
});
