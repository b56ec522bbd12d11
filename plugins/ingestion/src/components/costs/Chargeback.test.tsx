import { renderInTestApp } from '@backstage/frontend-test-utils';
import { configure, fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { costsApiRef } from '../../api/CostsApi';
import { responseError } from '../../api/__testUtils__/mockIngestionApi';
import { Chargeback } from './Chargeback';
import { currentMonth } from './download';
import { mockCostsApi } from './__testUtils__/mockCostsApi';

jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 15_000 });

const CSV =
  'organization,month,team,service_type,amount,currency\nfinance,2026-10,group:default/finance,compute,40.00,USD\nTOTAL,,,,40.00,USD\n';

const statement = async ({ month, by }: { month: string; by: any }) => ({
  organization: 'finance',
  month,
  currency: 'USD',
  by,
  total: 40,
  lines: [{ key: 'group:default/finance', serviceType: 'compute', amount: 40 }],
});

describe('Chargeback', () => {
  const createObjectURL = jest.fn((_blob: Blob) => 'blob:chargeback');
  const revokeObjectURL = jest.fn();
  let clicked: Array<{ href: string; download: string }> = [];

  beforeEach(() => {
    clicked = [];
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function click(this: HTMLAnchorElement) {
        clicked.push({ href: this.href, download: this.download });
      });
  });
  afterEach(() => jest.restoreAllMocks());

  it("downloads the picked month's chargeback by team as a CSV file named after the month", async () => {
    const getChargeback = jest.fn(statement);
    const getChargebackCsv = jest.fn(async () => CSV);
    await renderInTestApp(<Chargeback organization="finance" />, {
      apis: [[costsApiRef, mockCostsApi({ getChargeback, getChargebackCsv })]],
    });
    expect(await screen.findByText('Total $40.00')).toBeInTheDocument();
    expect(getChargeback).toHaveBeenCalledWith({
      organization: 'finance',
      month: currentMonth(),
      by: 'costCenter',
    });

    fireEvent.change(screen.getByLabelText('Month'), {
      target: { value: '2026-10' },
    });
    await userEvent.click(screen.getByRole('button', { name: /By/ }));
    await userEvent.click(await screen.findByRole('option', { name: 'Team' }));
    await waitFor(() =>
      expect(getChargeback).toHaveBeenLastCalledWith({
        organization: 'finance',
        month: '2026-10',
        by: 'team',
      }),
    );
    expect(
      await screen.findByText('group:default/finance'),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Download CSV' }));
    await waitFor(() => expect(clicked).toHaveLength(1));
    expect(getChargebackCsv).toHaveBeenCalledWith({
      organization: 'finance',
      month: '2026-10',
      by: 'team',
    });
    expect(clicked[0]).toEqual({
      href: 'blob:chargeback',
      download: 'chargeback-finance-2026-10-by-team.csv',
    });
    const blob = createObjectURL.mock.calls[0][0];
    expect(blob.type).toBe('text/csv;charset=utf-8');
    expect(await blob.text()).toBe(CSV);
  });

  it('reports a failed download and saves nothing', async () => {
    await renderInTestApp(<Chargeback organization="finance" />, {
      apis: [
        [
          costsApiRef,
          mockCostsApi({
            getChargeback: statement,
            getChargebackCsv: async () => {
              throw await responseError(500, 'Error', 'statement unavailable');
            },
          }),
        ],
      ],
    });
    await screen.findByText('Total $40.00');
    await userEvent.click(screen.getByRole('button', { name: 'Download CSV' }));
    expect(
      await screen.findByText(
        /could not be downloaded: .*statement unavailable/,
      ),
    ).toBeInTheDocument();
    expect(clicked).toHaveLength(0);
  });

  it('says when the month has no spend', async () => {
    await renderInTestApp(<Chargeback organization="finance" />, {
      apis: [
        [
          costsApiRef,
          mockCostsApi({
            getChargeback: async q => ({
              ...(await statement(q)),
              total: 0,
              lines: [],
            }),
          }),
        ],
      ],
    });
    expect(
      await screen.findByText(`No spend was recorded in ${currentMonth()}.`),
    ).toBeInTheDocument();
  });
});
