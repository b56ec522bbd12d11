import {
  pipelineReadPermission,
  type PipelineDetails,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  configure,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { responseError } from '../../api/__testUtils__/mockIngestionApi';
import { pipeline } from '../__testUtils__/fixtures';
import {
  editorIngestionApi,
  mockEditorApi,
  problemsError,
  renderEditor,
} from './__testUtils__/editorTestApp';
import { EditPipelinePage } from './EditPipelinePage';

jest.setTimeout(90_000);
configure({ asyncUtilTimeout: 15_000 });

function renderEdit(
  editor = mockEditorApi(),
  options: { permissions?: string[]; pipelineId?: string } = {},
) {
  return renderEditor(<EditPipelinePage />, {
    mountPath: '/ingestion/pipelines/:pipelineId/edit',
    path: `/ingestion/pipelines/${options.pipelineId ?? 'p-1'}/edit`,
    editor,
    permissions: options.permissions,
  });
}

const transform = (n: number) =>
  screen.getByRole('group', { name: `transform ${n}` });
const conditionOf = (n: number) =>
  within(transform(n)).getByLabelText(/^Condition/) as HTMLInputElement;
const yamlText = () =>
  (screen.getByLabelText('Spec (YAML)') as HTMLTextAreaElement).value;

async function openEditor(editor = mockEditorApi()) {
  await renderEdit(editor);
  await screen.findByRole('heading', { name: 'Edit daily-transactions' });
  await screen.findByRole('group', { name: 'transform 1' });
  return editor;
}

describe('pipeline editor', () => {
  it('keeps the form and the YAML view in sync both ways, and survives YAML that does not parse', async () => {
    await openEditor();
    expect(conditionOf(1).value).toBe('amount > 0');

    fireEvent.change(conditionOf(1), { target: { value: 'amount > 100' } });
    await userEvent.click(screen.getByRole('tab', { name: 'YAML' }));
    expect(yamlText()).toContain('condition: amount > 100');

    fireEvent.change(screen.getByLabelText('Spec (YAML)'), {
      target: { value: yamlText().replace('amount > 100', 'amount > 5') },
    });
    await userEvent.click(screen.getByRole('tab', { name: 'Form' }));
    expect(conditionOf(1).value).toBe('amount > 5');

    // Broken YAML: its line is shown, and the form keeps the last valid draft.
    await userEvent.click(screen.getByRole('tab', { name: 'YAML' }));
    const broken = `${yamlText()}\nsource: [unclosed\n`;
    fireEvent.change(screen.getByLabelText('Spec (YAML)'), {
      target: { value: broken },
    });
    expect(
      await screen.findByText(
        /the form keeps the last valid spec until it does/,
      ),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/Line \d+, column \d+/).length).toBeGreaterThan(
      0,
    );
    expect(yamlText()).toBe(broken);
    expect(
      screen.getByRole('button', { name: 'Review and save' }),
    ).toBeDisabled();
    await userEvent.click(screen.getByRole('tab', { name: 'Form' }));
    expect(conditionOf(1).value).toBe('amount > 5');
    expect(screen.getByText(/The YAML view has a syntax error/)).toBeVisible();
  });

  it('reorders transforms with the move buttons (the keyboard path of drag and drop)', async () => {
    await openEditor();
    expect(within(transform(1)).getByLabelText(/^Condition/)).toBeVisible();
    await userEvent.click(
      screen.getByRole('button', { name: 'Move transform 2 up' }),
    );
    // The aggregate is first now: transform 1 has its fields, transform 2 the filter's.
    expect(within(transform(1)).queryByLabelText(/^Condition/)).toBeNull();
    expect(within(transform(1)).getByLabelText(/^Group by/)).toBeVisible();
    expect(conditionOf(2).value).toBe('amount > 0');
    expect(
      screen.getByRole('button', { name: 'Move transform 1 up' }),
    ).toBeDisabled();
    // Each card has a drag handle dnd-kit's keyboard sensor listens on.
    expect(
      screen.getByRole('button', { name: /Drag transform 1/ }),
    ).toHaveAttribute('aria-roledescription', 'sortable');

    await userEvent.click(screen.getByRole('tab', { name: 'YAML' }));
    const text = yamlText();
    expect(text.indexOf('type: aggregate')).toBeLessThan(
      text.indexOf('type: filter'),
    );
  });

  it("puts the server's field-path problems on their field and in the summary", async () => {
    const editor = mockEditorApi({
      validateSpec: jest.fn(async (spec: any) =>
        spec.transformations?.[0]?.condition === 'amout > 0'
          ? {
              valid: false as const,
              problems: [
                {
                  path: 'transformations[0].condition',
                  message: 'unknown column `amout` (did you mean `amount`?)',
                },
              ],
            }
          : { valid: true as const },
      ),
    });
    await openEditor(editor);
    fireEvent.change(conditionOf(1), { target: { value: 'amout > 0' } });

    const message = 'unknown column `amout` (did you mean `amount`?)';
    await waitFor(() =>
      expect(conditionOf(1)).toHaveAttribute('aria-invalid', 'true'),
    );
    expect(within(transform(1)).getByText(message)).toBeVisible();
    const summary = screen.getByRole('list', { name: 'Problems in the spec' });
    expect(
      within(summary).getByRole('button', {
        name: 'transformations[0].condition',
      }),
    ).toBeVisible();
    expect(editor.validateSpec).toHaveBeenLastCalledWith(
      expect.objectContaining({ pipeline_type: 'batch' }),
      'finance',
    );
    expect(screen.getByText('1 problem to fix before saving.')).toBeVisible();
    expect(
      screen.getByRole('button', { name: 'Review and save' }),
    ).toBeDisabled();

    // The client's own check (the common package's validator) needs no server.
    fireEvent.change(conditionOf(1), { target: { value: '' } });
    await waitFor(() =>
      expect(conditionOf(1)).toHaveAttribute('aria-invalid', 'true'),
    );
    expect(within(transform(1)).queryByText(message)).toBeNull();
  });

  it('shows the diff against the current version before saving version 4', async () => {
    const saved: PipelineDetails = { ...pipeline, currentVersion: 4 };
    const editor = mockEditorApi({
      savePipelineVersion: jest.fn(async () => saved),
    });
    await openEditor(editor);
    expect(
      screen.getByRole('button', { name: 'Review and save' }),
    ).toBeDisabled();
    fireEvent.change(conditionOf(1), { target: { value: 'amount > 100' } });
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'Review and save' }),
      ).toBeEnabled(),
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Review and save' }),
    );

    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('Save version 4?')).toBeVisible();
    expect(dialog).toHaveTextContent(
      'Changes against version 3: 1 line added, 1 removed.',
    );
    const diff = within(dialog).getByLabelText(
      'Diff of version 3 and the draft',
    );
    const lines = Array.from(diff.children).map(line => line.textContent);
    expect(lines).toContain('-     condition: amount > 0');
    expect(lines).toContain('+     condition: amount > 100');

    await userEvent.type(
      within(dialog).getByLabelText('Comment (for the version history)'),
      'Only large amounts',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Save version 4' }),
    );
    await waitFor(() =>
      expect(editor.savePipelineVersion).toHaveBeenCalledWith('p-1', {
        spec: expect.objectContaining({
          transformations: [
            { type: 'filter', condition: 'amount > 100' },
            expect.objectContaining({ type: 'aggregate' }),
          ],
        }),
        expectedVersion: 3,
        comment: 'Only large amounts',
      }),
    );
  });

  it('says so when someone saved a version meanwhile, and keeps the draft', async () => {
    const editor = mockEditorApi({
      savePipelineVersion: jest.fn(async () => {
        throw await responseError(
          409,
          'ConflictError',
          'pipeline p-1 is at version 4, not 3',
        );
      }),
    });
    await openEditor(editor);
    fireEvent.change(conditionOf(1), { target: { value: 'amount > 100' } });
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'Review and save' }),
      ).toBeEnabled(),
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Review and save' }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Save version 4' }),
    );
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      /someone saved a new version.*version 4, not 3/,
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Keep editing' }),
    );
    expect(conditionOf(1).value).toBe('amount > 100');
  });

  it('shows problems a save answered with on their fields', async () => {
    const editor = mockEditorApi({
      savePipelineVersion: jest.fn(async () => {
        throw await problemsError([
          {
            path: 'target.catalog',
            message: 'catalog `retail_catalog` is not one of finance’s',
          },
        ]);
      }),
    });
    await openEditor(editor);
    fireEvent.change(conditionOf(1), { target: { value: 'amount > 1' } });
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'Review and save' }),
      ).toBeEnabled(),
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Review and save' }),
    );
    await userEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Save version 4',
      }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const catalog = screen.getByLabelText(/^Catalog/, {
      selector: '#spec-field-target_catalog',
    });
    expect(catalog).toHaveAttribute('aria-invalid', 'true');
    expect(
      screen.getByText('catalog `retail_catalog` is not one of finance’s', {
        selector: 'p',
      }),
    ).toBeVisible();
  });

  it('is denied to users who may read but not update the pipeline', async () => {
    const editor = mockEditorApi();
    await renderEdit(editor, { permissions: [pipelineReadPermission.name] });
    expect(
      await screen.findByText('You cannot edit this pipeline'),
    ).toBeInTheDocument();
    expect(screen.queryByLabelText('Spec (YAML)')).toBeNull();
    expect(screen.queryByRole('group', { name: 'transform 1' })).toBeNull();
  });

  it("answers not found for another organization's pipeline", async () => {
    await renderEdit(mockEditorApi(), { pipelineId: 'retail-p' });
    expect(await screen.findByText('Not found')).toBeInTheDocument();
  });

  it('says when the deployed Databricks job is behind, and redeploys it', async () => {
    const behind = {
      pipelineId: 'p-1',
      engine: 'databricks',
      currentVersion: 5,
      deployed: true,
      behind: true,
      behindReason: 'version' as const,
      deployment: {
        databricksJobId: '8812',
        deployedVersion: 3,
        deployedAt: '2026-11-20T10:00:00Z',
      },
    };
    const editor = mockEditorApi({
      getDeploymentStatus: jest.fn(async () => behind),
      redeployPipeline: jest.fn(async () => ({
        jobId: '8812',
        jobUrl: 'https://dbc.example/jobs/8812',
        jobName: 'finance-daily-transactions',
        notebookPath: '/ingestion/finance/daily-transactions/v5',
        created: false,
        version: 5,
        status: {
          ...behind,
          behind: false,
          behindReason: undefined,
          deployment: { ...behind.deployment, deployedVersion: 5 },
        },
      })),
    });
    await renderEditor(<EditPipelinePage />, {
      mountPath: '/ingestion/pipelines/:pipelineId/edit',
      path: '/ingestion/pipelines/p-1/edit',
      editor,
      ingestion: editorIngestionApi({
        getPipeline: async () => ({ ...pipeline, currentVersion: 5 }),
      }),
    });
    expect(
      await screen.findByText(
        /The Databricks job is behind: it runs version 3, the pipeline is at version 5/,
      ),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Redeploy' }));
    expect(
      await screen.findByText(
        'Databricks job 8812 runs version 5, the current one.',
      ),
    ).toBeInTheDocument();
    expect(editor.redeployPipeline).toHaveBeenCalledWith('p-1');
  });
});
