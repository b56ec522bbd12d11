import { act, configure, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockEditorApi, renderEditor } from './__testUtils__/editorTestApp';
import { EditPipelinePage } from './EditPipelinePage';

jest.setTimeout(90_000);
configure({ asyncUtilTimeout: 15_000 });

/**
 * jsdom lays nothing out: give each card of a list a place, one below the other, so dnd-kit's
 * keyboard sensor has somewhere to move a card to.
 */
function layOutCards() {
  const original = HTMLElement.prototype.getBoundingClientRect;
  jest
    .spyOn(HTMLElement.prototype, 'getBoundingClientRect')
    .mockImplementation(function rect(this: HTMLElement) {
      const match = /^(transform|rule) (\d+)$/.exec(
        this.getAttribute('aria-label') ?? '',
      );
      if (!match) return original.call(this);
      const top =
        (Number(match[2]) - 1) * 200 + (match[1] === 'rule' ? 2000 : 0);
      return {
        x: 0,
        y: top,
        top,
        left: 0,
        right: 800,
        bottom: top + 180,
        width: 800,
        height: 180,
        toJSON: () => ({}),
      } as DOMRect;
    });
}

afterEach(() => jest.restoreAllMocks());

describe('drag and drop', () => {
  it('moves a transform with the keyboard: space on its handle, an arrow, space', async () => {
    layOutCards();
    await renderEditor(<EditPipelinePage />, {
      mountPath: '/ingestion/pipelines/:pipelineId/edit',
      path: '/ingestion/pipelines/p-1/edit',
      editor: mockEditorApi(),
    });
    const first = await screen.findByRole('group', { name: 'transform 1' });
    expect(within(first).getByLabelText(/^Condition/)).toBeVisible();

    const handle = screen.getByRole('button', { name: /^Drag transform 1/ });
    act(() => handle.focus());
    await userEvent.keyboard('[Space]');
    await userEvent.keyboard('[ArrowDown]');
    await userEvent.keyboard('[Space]');

    const second = screen.getByRole('group', { name: 'transform 2' });
    expect(within(second).getByLabelText(/^Condition/)).toBeVisible();
    expect(
      within(screen.getByRole('group', { name: 'transform 1' })).getByLabelText(
        /^Group by/,
      ),
    ).toBeVisible();
  });
});
