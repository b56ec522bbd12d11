import { renderInTestApp } from '@backstage/frontend-test-utils';
import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  adminApiRef,
  type AdminApi,
  type AuditEvent,
} from '../../../api/AdminApi';
import {
  expectDeniedAndErrorStates,
  mockAdminApi,
  pending,
} from '../__testUtils__/mockAdminApi';
import { auditQueryOf, NO_FILTERS } from './AuditFilters';
import { AuditTab } from './AuditTab';

jest.setTimeout(90_000);
configure({ asyncUtilTimeout: 15_000 });

const rotation: AuditEvent = {
  id: '41',
  organization: 'finance',
  actor: 'user:default/finance-admin',
  action: 'connection.rotate',
  targetType: 'connection',
  targetId: 'c-1',
  outcome: 'success',
  meta: { name: 'finance-db', keyId: 'k1' },
  at: '2026-12-07T06:00:00Z',
};

const render = (admin: AdminApi) =>
  renderInTestApp(<AuditTab organization="finance" />, {
    apis: [[adminApiRef, admin]],
  });

describe('AuditTab', () => {
  it('filters on the server, pages with the cursor and opens an event', async () => {
    const listAuditEvents = jest.fn(async (query: { cursor?: string }) =>
      query.cursor
        ? { items: [{ ...rotation, id: '40', action: 'pipeline.create' }] }
        : { items: [rotation], nextCursor: 'next' },
    );
    await render(mockAdminApi({ listAuditEvents }));
    expect(await screen.findByText('connection.rotate')).toBeInTheDocument();
    expect(screen.getByText('connection finance-db')).toBeInTheDocument();
    expect(listAuditEvents).toHaveBeenLastCalledWith({
      organization: 'finance',
      limit: 25,
    });

    await userEvent.type(
      screen.getByLabelText('Actor'),
      'user:default/finance-admin',
    );
    await userEvent.type(screen.getByLabelText('Action'), 'connection.rotate');
    await userEvent.type(screen.getByLabelText('Resource type'), 'connection');
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() =>
      expect(listAuditEvents).toHaveBeenLastCalledWith({
        organization: 'finance',
        actor: 'user:default/finance-admin',
        action: 'connection.rotate',
        targetType: 'connection',
        limit: 25,
      }),
    );

    await userEvent.click(await screen.findByRole('button', { name: 'Next' }));
    expect(await screen.findByText('pipeline.create')).toBeInTheDocument();
    expect(listAuditEvents).toHaveBeenLastCalledWith(
      expect.objectContaining({ cursor: 'next', action: 'connection.rotate' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Previous' }));

    await userEvent.click(
      await screen.findByRole('button', { name: /^Open connection.rotate/ }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText('c-1', { exact: false }),
    ).toBeInTheDocument();
    expect(dialog).toHaveTextContent(/"keyId": "k1"/);
  });

  it('turns the time range into ISO times and leaves empty filters out', () => {
    expect(
      auditQueryOf('finance', {
        ...NO_FILTERS,
        outcome: 'denied',
        from: '2026-12-01T00:00',
        actor: '  ',
      }),
    ).toEqual({
      organization: 'finance',
      actor: undefined,
      action: undefined,
      targetType: undefined,
      targetId: undefined,
      outcome: 'denied',
      from: new Date('2026-12-01T00:00').toISOString(),
      to: undefined,
    });
  });

  it('exports what the filters match as CSV', async () => {
    const exportAuditEvents = jest.fn(async () => 'at,organization\r\n');
    const createObjectURL = jest.fn(() => 'blob:audit');
    Object.assign(URL, { createObjectURL, revokeObjectURL: jest.fn() });
    await render(
      mockAdminApi({
        listAuditEvents: async () => ({ items: [rotation] }),
        exportAuditEvents,
      }),
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Export CSV' }),
    );
    await waitFor(() =>
      expect(exportAuditEvents).toHaveBeenCalledWith(
        expect.objectContaining({ organization: 'finance' }),
      ),
    );
    expect(createObjectURL).toHaveBeenCalled();
  });

  it('shows the empty, loading, denied and error states', async () => {
    const empty = await render(mockAdminApi());
    expect(
      await screen.findByText('No audit events match these filters.'),
    ).toBeInTheDocument();
    empty.unmount();
    const loading = await render(mockAdminApi({ listAuditEvents: pending }));
    expect(screen.getByRole('table')).toBeInTheDocument();
    loading.unmount();
    await expectDeniedAndErrorStates(
      render,
      'listAuditEvents',
      'audit store down',
    );
  });
});
