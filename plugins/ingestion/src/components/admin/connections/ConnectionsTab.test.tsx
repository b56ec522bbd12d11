import { renderInTestApp } from '@backstage/frontend-test-utils';
import { connectionManagePermission } from '@ingestion-for-backstage/plugin-ingestion-common';
import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { adminApiRef, type AdminApi } from '../../../api/AdminApi';
import { responseError } from '../../../api/__testUtils__/mockIngestionApi';
import { pipelineRouteRef } from '../../../routes';
import {
  allowOnly,
  withOwnPermissionCache,
} from '../../__testUtils__/fixtures';
import { financeDb, mockAdminApi } from '../__testUtils__/mockAdminApi';
import { ConnectionsTab } from './ConnectionsTab';

jest.setTimeout(90_000);
configure({ asyncUtilTimeout: 15_000 });

function render(
  admin: AdminApi,
  permissions = [connectionManagePermission.name],
) {
  return renderInTestApp(
    withOwnPermissionCache(<ConnectionsTab organization="finance" />),
    {
      mountedRoutes: { '/ingestion/pipelines/:pipelineId': pipelineRouteRef },
      apis: [[adminApiRef, admin], allowOnly(...permissions)],
    },
  );
}

const withConnection = (overrides: Partial<AdminApi> = {}) =>
  mockAdminApi({
    listConnections: async () => ({ items: [financeDb] }),
    listConnectionUsage: async () => ({
      items: [
        {
          connection: 'finance-db',
          pipelines: [{ id: 'p-1', name: 'daily-transactions' }],
        },
      ],
    }),
    ...overrides,
  });

describe('ConnectionsTab', () => {
  it('lists connections with where they point, a write-only secret and the pipelines that use them', async () => {
    await render(withConnection(), []);
    const row = (await screen.findByText('finance-db')).closest('tr')!;
    expect(
      within(row).getByText('etl@127.0.0.1:3306/finance'),
    ).toBeInTheDocument();
    expect(within(row).getByText('set (write-only)')).toBeInTheDocument();
    expect(
      await within(row).findByRole('link', { name: 'daily-transactions' }),
    ).toHaveAttribute('href', '/ingestion/pipelines/p-1');
    // Without ingestion.connection.manage: no buttons at all.
    expect(
      await screen.findByText('You may see connections but not change them.'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'New connection' })).toBeNull();
    expect(
      screen.queryByRole('button', { name: 'Rotate finance-db' }),
    ).toBeNull();
    expect(
      screen.queryByRole('button', { name: 'Delete finance-db' }),
    ).toBeNull();
    expect(
      screen.queryByRole('button', { name: 'Test finance-db' }),
    ).toBeNull();
  });

  it('creates a connection: checks fields first, then shows the server’s 400 on the right field', async () => {
    const createConnection = jest
      .fn()
      .mockImplementationOnce(async () => {
        throw await responseError(
          400,
          'InputError',
          'Invalid connection: host: must be a host name or IP address',
        );
      })
      .mockImplementationOnce(async body => ({
        ...financeDb,
        name: body.name,
      }));
    const admin = withConnection({ createConnection });
    await render(admin);
    await userEvent.click(
      await screen.findByRole('button', { name: 'New connection' }),
    );
    const form = screen.getByRole('form', { name: 'New connection' });
    await userEvent.click(within(form).getByRole('button', { name: 'Create' }));
    expect(
      within(form).getByText(/Lower-case letter, then/),
    ).toBeInTheDocument();
    expect(createConnection).not.toHaveBeenCalled();

    await userEvent.type(within(form).getByLabelText(/^Name/), 'crm-db');
    await userEvent.type(within(form).getByLabelText(/^Host/), 'bad host');
    await userEvent.type(within(form).getByLabelText(/^Port/), '3306');
    await userEvent.type(within(form).getByLabelText(/^User/), 'etl');
    const password = within(form).getByLabelText(/^Password/);
    expect(password).toHaveAttribute('type', 'password');
    await userEvent.type(password, 's3cret');
    await userEvent.click(within(form).getByRole('button', { name: 'Create' }));
    expect(
      await within(form).findByText('must be a host name or IP address'),
    ).toBeInTheDocument();
    expect(within(form).getByLabelText(/^Host/)).toHaveAttribute(
      'aria-invalid',
      'true',
    );
    expect(createConnection).toHaveBeenLastCalledWith({
      organization: 'finance',
      name: 'crm-db',
      type: 'mariadb',
      host: 'bad host',
      port: 3306,
      user: 'etl',
      password: 's3cret',
    });

    await userEvent.clear(within(form).getByLabelText(/^Host/));
    await userEvent.type(within(form).getByLabelText(/^Host/), 'db.internal');
    await userEvent.click(within(form).getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(createConnection).toHaveBeenCalledTimes(2));
    await waitFor(() =>
      expect(screen.queryByRole('form', { name: 'New connection' })).toBeNull(),
    );
    // The secret typed is nowhere on the page afterwards.
    expect(document.body.innerHTML).not.toContain('s3cret');
  });

  it('rotates the secret, shows a test’s result, and deletes after confirming the impact', async () => {
    const rotateConnection = jest.fn(async () => ({
      ...financeDb,
      rotatedAt: '2026-12-07T06:00:00Z',
    }));
    const testConnection = jest.fn(async () => ({
      ok: false,
      testable: true,
      message: 'Access denied for user etl',
      latencyMs: 12.4,
    }));
    const deleteConnection = jest.fn(async () => undefined);
    await render(
      withConnection({ rotateConnection, testConnection, deleteConnection }),
    );

    await userEvent.click(
      await screen.findByRole('button', { name: 'Rotate finance-db' }),
    );
    const rotate = screen.getByRole('form', { name: 'Rotate secret' });
    const secret = within(rotate).getByLabelText(/New password/);
    expect(secret).toHaveAttribute('type', 'password');
    await userEvent.type(secret, 'n3w-secret');
    await userEvent.click(
      within(rotate).getByRole('button', { name: 'Rotate' }),
    );
    await waitFor(() =>
      expect(rotateConnection).toHaveBeenCalledWith('c-1', 'n3w-secret'),
    );

    await userEvent.click(
      await screen.findByRole('button', { name: 'Test finance-db' }),
    );
    expect(
      await screen.findByText(/finance-db: Connection failed/),
    ).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent(
      'Access denied for user etl (12 ms)',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Close' }));

    await userEvent.click(
      await screen.findByRole('button', { name: 'Delete finance-db' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText(
        /1 pipeline read through it \(daily-transactions\)/,
      ),
    ).toBeInTheDocument();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Delete' }),
    );
    await waitFor(() => expect(deleteConnection).toHaveBeenCalledWith('c-1'));
  });

  it('shows the empty, denied and error states', async () => {
    const empty = await render(mockAdminApi());
    expect(
      (await screen.findAllByText(/No connections yet/))[0],
    ).toBeInTheDocument();
    empty.unmount();
    const denied = await render(
      mockAdminApi({
        listConnections: async () => {
          throw await responseError(
            404,
            'NotFoundError',
            'no such organization',
          );
        },
      }),
    );
    expect(await screen.findByText('Not found')).toBeInTheDocument();
    denied.unmount();
    await render(
      mockAdminApi({
        listConnections: async () => {
          throw await responseError(500, 'Error', 'key store unavailable');
        },
      }),
    );
    expect(
      (await screen.findAllByText(/key store unavailable/))[0],
    ).toBeInTheDocument();
  });
});
