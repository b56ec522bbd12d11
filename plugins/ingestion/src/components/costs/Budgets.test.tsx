import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  budgetManagePermission,
  type BudgetStatus,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { configure, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { costsApiRef, type CostsApi } from '../../api/CostsApi';
import { responseError } from '../../api/__testUtils__/mockIngestionApi';
import { allowOnly, withOwnPermissionCache } from '../__testUtils__/fixtures';
import { Budgets } from './Budgets';
import { financeBudget, mockCostsApi } from './__testUtils__/mockCostsApi';

jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 15_000 });

const teamBudget: BudgetStatus = {
  ...financeBudget,
  team: 'group:default/finance-engineers',
  origin: 'custom',
  monthly: 1000,
  progress: 1.2,
  forecastProgress: 2,
};

function render(api: CostsApi, permissions: string[]) {
  return renderInTestApp(
    withOwnPermissionCache(<Budgets organization="finance" />),
    { apis: [[costsApiRef, api], allowOnly(...permissions)] },
  );
}

const api = (overrides: Partial<CostsApi> = {}) =>
  mockCostsApi({
    listBudgets: jest.fn(async () => ({
      organization: 'finance',
      currency: 'USD',
      month: '2026-12',
      items: [financeBudget, teamBudget],
    })),
    listBudgetAlerts: async () => ({ items: [] }),
    ...overrides,
  });

describe('Budgets', () => {
  it("shows the server's problem under the field its path names, then saves", async () => {
    const putBudget = jest
      .fn()
      .mockRejectedValueOnce(
        await responseError(
          400,
          'InputError',
          'monthly: must be a number greater than 0',
        ),
      )
      .mockRejectedValueOnce(
        await responseError(
          400,
          'InputError',
          'thresholds[1]: must be a fraction of the budget greater than 0 and at most 2',
        ),
      )
      .mockResolvedValueOnce(teamBudget);
    const costs = api({ putBudget });
    await render(costs, [budgetManagePermission.name]);

    await userEvent.click(
      await screen.findByRole('button', { name: 'Set a budget' }),
    );
    await userEvent.type(
      screen.getByLabelText(/Team \(group ref/),
      'group:default/finance-engineers',
    );
    await userEvent.type(screen.getByLabelText(/Monthly amount \(USD\)/), '-5');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(
      await screen.findByText('monthly: must be a number greater than 0'),
    ).toBeInTheDocument();
    expect(putBudget).toHaveBeenLastCalledWith({
      organization: 'finance',
      team: 'group:default/finance-engineers',
      monthly: -5,
    });

    const monthly = screen.getByLabelText(/Monthly amount \(USD\)/);
    await userEvent.clear(monthly);
    await userEvent.type(monthly, '1000');
    await userEvent.type(screen.getByLabelText(/Alert thresholds/), '50, 300');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(
      await screen.findByText(
        'thresholds[1]: must be a fraction of the budget greater than 0 and at most 2',
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByText('monthly: must be a number greater than 0'),
    ).not.toBeInTheDocument();
    expect(putBudget).toHaveBeenLastCalledWith(
      expect.objectContaining({ monthly: 1000, thresholds: [0.5, 3] }),
    );

    const thresholds = screen.getByLabelText(/Alert thresholds/);
    await userEvent.clear(thresholds);
    await userEvent.type(thresholds, '50, 100');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    // The list is read again after a change.
    await waitFor(() => expect(costs.listBudgets).toHaveBeenCalledTimes(2));
  });

  it("removes a team's budget after confirmation", async () => {
    const deleteBudget = jest.fn(async () => undefined);
    await render(api({ deleteBudget }), [budgetManagePermission.name]);
    // Only budgets set through the portal can be removed.
    expect(
      await screen.findByRole('button', {
        name: 'Remove the budget of group:default/finance-engineers',
      }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', {
        name: 'Remove the budget of The organization',
      }),
    ).not.toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', {
        name: 'Remove the budget of group:default/finance-engineers',
      }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Remove' }));
    await waitFor(() =>
      expect(deleteBudget).toHaveBeenCalledWith({
        organization: 'finance',
        team: 'group:default/finance-engineers',
      }),
    );
  });

  it('shows budgets without the buttons to users who may not manage them', async () => {
    await render(api(), []);
    expect(
      await screen.findByRole('progressbar', {
        name: 'Budget of group:default/finance-engineers used this month',
      }),
    ).toHaveAttribute('aria-valuenow', '100');
    expect(
      screen.getByText('120% of $1,000.00 · forecast 200% ($3,100.00)'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('No threshold was crossed yet.'),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Set a budget' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /Change/ }),
    ).not.toBeInTheDocument();
  });

  it('says "no access" when the budgets are not open to the user', async () => {
    await render(
      api({
        listBudgets: async () => {
          throw await responseError(403, 'NotAllowedError', 'cost.read');
        },
      }),
      [],
    );
    expect(
      await screen.findByText('You do not have access'),
    ).toBeInTheDocument();
  });
});
