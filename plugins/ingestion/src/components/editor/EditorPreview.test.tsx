import type { PipelineDetails } from '@ingestion-for-backstage/plugin-ingestion-common';
import { configure, fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { responseError } from '../../api/__testUtils__/mockIngestionApi';
import type { SpecPreview } from '../../api/EditorApi';
import { financeOrganization, pipeline } from '../__testUtils__/fixtures';
import {
  editorIngestionApi,
  mockEditorApi,
  problemsError,
  renderEditor,
} from './__testUtils__/editorTestApp';
import { EditPipelinePage } from './EditPipelinePage';
import { NewPipelinePage } from './NewPipelinePage';

jest.setTimeout(90_000);
configure({ asyncUtilTimeout: 15_000 });

const preview: SpecPreview = {
  rows: [
    { customer_id: 'c-1', date: '2026-11-01', amount: 120.5, email: 'a@x.io' },
    { customer_id: 'c-2', date: '2026-11-01', amount: null, email: 'b@x.io' },
  ],
  schema: [
    { name: 'customer_id', type: 'VARCHAR', nullable: false },
    { name: 'date', type: 'DATE', nullable: false },
    { name: 'amount', type: 'DOUBLE', nullable: true },
    { name: 'email', type: 'VARCHAR', nullable: true },
  ],
  pii: [{ column: 'email', kind: 'email', masked: false }],
  quality: [
    {
      name: 'completeness_customer_id',
      type: 'completeness',
      severity: 'fail',
      passed: true,
      metric: 1,
      threshold: 0.95,
    },
    {
      name: 'completeness_amount',
      type: 'completeness',
      severity: 'fail',
      passed: false,
      metric: 0.5,
      threshold: 0.95,
      message: '1 of 2 rows has no amount',
    },
  ],
  sampleRows: 100,
  outputRows: 2,
  elapsedMs: 412,
  truncated: true,
};

async function openEditor(editor: ReturnType<typeof mockEditorApi>) {
  await renderEditor(<EditPipelinePage />, {
    mountPath: '/ingestion/pipelines/:pipelineId/edit',
    path: '/ingestion/pipelines/p-1/edit',
    editor,
  });
  await screen.findByRole('group', { name: 'transform 1' });
}

const previewButton = () =>
  screen.getByRole('button', { name: 'Preview on a sample' });

describe('preview on a sample', () => {
  it('shows the output rows, the schema, PII found and each rule, a failed one included', async () => {
    const editor = mockEditorApi({
      previewSpec: jest.fn(async () => preview),
    });
    await openEditor(editor);
    fireEvent.change(screen.getByLabelText(/^Sample size/), {
      target: { value: '250' },
    });
    await userEvent.click(previewButton());

    expect(await screen.findByLabelText('Preview summary')).toHaveTextContent(
      'Read 100 rows from the source; the draft output 2 rows in 412 ms. The source has more rows than the sample (or the output more than is shown). 1 of 2 quality rules failed.',
    );
    expect(editor.previewSpec).toHaveBeenCalledWith({
      organization: 'finance',
      spec: expect.objectContaining({ pipeline_type: 'batch' }),
      sampleRows: 250,
    });
    const failed = screen.getByText('completeness_amount').closest('tr')!;
    expect(within(failed).getByText('Failed')).toBeVisible();
    expect(within(failed).getByText('0.5')).toBeVisible();
    expect(within(failed).getByText('1 of 2 rows has no amount')).toBeVisible();
    const passed = screen.getByText('completeness_customer_id').closest('tr')!;
    expect(within(passed).getByText('Passed')).toBeVisible();
    // A rule's name stays on one line (cut with an ellipsis when long), whole in its tooltip.
    const name = screen.getByText('completeness_customer_id');
    expect(name).toHaveStyle({
      whiteSpace: 'nowrap',
      textOverflow: 'ellipsis',
    });
    expect(name).toHaveAttribute('title', 'completeness_customer_id');

    expect(
      within(screen.getByLabelText('Personal data found')).getByText(
        'email: email',
      ),
    ).toBeVisible();
    expect(screen.getByText('DOUBLE')).toBeVisible();
    expect(screen.getByText('120.5')).toBeVisible();
    expect(screen.getByText('∅')).toBeVisible();
    expect(screen.getByText('Output rows (2 rows shown)')).toBeVisible();
  });

  it('says the source could not be read when it is unreachable', async () => {
    const editor = mockEditorApi({
      previewSpec: jest.fn(async () => {
        throw await responseError(
          422,
          'InputError',
          'source finance-db is unreachable: connect ECONNREFUSED',
        );
      }),
    });
    await openEditor(editor);
    await userEvent.click(previewButton());
    expect(
      await screen.findByText(/The source could not be read/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /source finance-db is unreachable: connect ECONNREFUSED/,
      ),
    ).toBeInTheDocument();
  });

  it('says when the preview ran past its time box', async () => {
    const editor = mockEditorApi({
      previewSpec: jest.fn(async () => {
        throw await responseError(504, 'TimeoutError', 'stopped after 30 s');
      }),
    });
    await openEditor(editor);
    await userEvent.click(previewButton());
    expect(
      await screen.findByText(/took longer than its time limit/),
    ).toBeInTheDocument();
  });

  it('puts the problems a preview answered with on their fields', async () => {
    const editor = mockEditorApi({
      previewSpec: jest.fn(async () => {
        throw await problemsError([
          {
            path: 'transformations[0].condition',
            message: 'unknown column `amout`',
          },
        ]);
      }),
    });
    await openEditor(editor);
    await userEvent.click(previewButton());
    expect(
      await screen.findByText(/The server found 1 problem in the draft/),
    ).toBeInTheDocument();
    const condition = within(
      screen.getByRole('group', { name: 'transform 1' }),
    ).getByLabelText(/^Condition/);
    expect(condition).toHaveAttribute('aria-invalid', 'true');
  });

  it('refuses a sample outside 1 to 1000 rows', async () => {
    await openEditor(mockEditorApi());
    fireEvent.change(screen.getByLabelText(/^Sample size/), {
      target: { value: '5000' },
    });
    expect(previewButton()).toBeDisabled();
    expect(screen.getByText('a whole number from 1 to 1000')).toBeVisible();
  });
});

describe('new pipeline', () => {
  it('creates a pipeline from scratch in the same editor', async () => {
    const created: PipelineDetails = {
      ...pipeline,
      id: 'p-9',
      name: 'daily-orders',
      currentVersion: 1,
    };
    const editor = mockEditorApi({
      createPipeline: jest.fn(async () => created),
    });
    await renderEditor(<NewPipelinePage />, {
      mountPath: '/ingestion/pipelines/new',
      path: '/ingestion/pipelines/new?organization=finance',
      editor,
    });
    expect(
      await screen.findByRole('heading', { name: 'New pipeline' }),
    ).toBeInTheDocument();
    const create = await screen.findByRole('button', {
      name: 'Review and create',
    });
    expect(create).toBeDisabled();
    expect(
      await screen.findByText('Name the pipeline to create it.'),
    ).toBeVisible();

    fireEvent.change(screen.getByLabelText(/^Name/), {
      target: { value: 'daily-orders' },
    });
    fireEvent.change(screen.getByLabelText(/^Path/), {
      target: { value: 'orders/' },
    });
    fireEvent.change(screen.getByLabelText(/^Catalog/), {
      target: { value: 'finance_catalog' },
    });
    fireEvent.change(
      screen.getByLabelText(/^Schema/, {
        selector: 'input#spec-field-target_schema',
      }),
      {
        target: { value: 'analytics' },
      },
    );
    fireEvent.change(screen.getByLabelText(/^Table/), {
      target: { value: 'daily_orders' },
    });
    await userEvent.click(
      screen.getByRole('button', { name: 'Add transform' }),
    );
    fireEvent.change(
      within(screen.getByRole('group', { name: 'transform 1' })).getByLabelText(
        /^Condition/,
      ),
      { target: { value: 'amount > 0' } },
    );

    const enabled = await screen.findByRole('button', {
      name: 'Review and create',
    });
    await screen.findByText('No problems: the server accepts this spec.');
    expect(enabled).toBeEnabled();
    await userEvent.click(enabled);
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText('Create the pipeline at version 1?'),
    ).toBeVisible();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Create pipeline' }),
    );
    expect(editor.createPipeline).toHaveBeenCalledWith({
      organization: 'finance',
      name: 'daily-orders',
      spec: {
        pipeline_type: 'batch',
        schedule: '0 2 * * *',
        source: { type: 'file', path: 'orders/', format: 'csv' },
        transformations: [{ type: 'filter', condition: 'amount > 0' }],
        target: {
          type: 'iceberg',
          catalog: 'finance_catalog',
          schema: 'analytics',
          table: 'daily_orders',
        },
        data_quality: [],
      },
    });
  });

  it('is denied in an organization where the user is not an engineer', async () => {
    await renderEditor(<NewPipelinePage />, {
      mountPath: '/ingestion/pipelines/new',
      path: '/ingestion/pipelines/new?organization=finance',
      editor: mockEditorApi(),
      ingestion: editorIngestionApi({
        listOrganizations: async () => ({
          items: [{ ...financeOrganization, roles: ['viewer'] }],
        }),
      }),
    });
    expect(
      await screen.findByText('You cannot create pipelines'),
    ).toBeInTheDocument();
    expect(screen.queryByLabelText('Spec (YAML)')).toBeNull();
  });
});
