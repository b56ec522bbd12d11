import { formatPercent, formatUnitCost } from '../common/format';
import { fieldProblems, parseThresholds } from './BudgetForm';
import { MAX_SERIES, monthLabel, stackRows } from './CostCharts';
import { spendScopeOf } from './scope';
import { series } from './__testUtils__/mockCostsApi';

describe('cost view helpers', () => {
  it('formats costs per unit far below a cent without rounding them to 0', () => {
    expect(formatUnitCost(0.0000125, 'USD', 'row')).toBe(
      '$0.0125 per 1,000 rows',
    );
    expect(formatUnitCost(0.05, 'USD', 'row')).toBe('$0.05 per row');
    expect(formatUnitCost(1.22e-9, 'USD', 'row')).toBe(
      '$1.22 per billion rows',
    );
    expect(formatUnitCost(3e-7, 'USD', 'row')).toBe('$0.30 per million rows');
    expect(formatUnitCost(1e-13, 'USD', 'row')).toBe(
      '$0.0001 per billion rows',
    );
    expect(formatUnitCost(0.000005, 'USD', 'run')).toBe('$0.000005 per run');
    expect(formatUnitCost(2.5, 'USD', 'run')).toBe('$2.50 per run');
    expect(formatUnitCost(0, 'EUR')).toBe('€0.00 per row');
    expect(formatUnitCost(undefined)).toBe('—');
    expect(formatPercent(0.625)).toBe('63%');
  });

  it('splits the server’s problems by the form field their path names', () => {
    expect(
      fieldProblems(
        'monthly: must be a number; thresholds[2]: must be at most 2; organization: required',
      ),
    ).toEqual({
      fields: {
        monthly: 'monthly: must be a number',
        thresholds: 'thresholds[2]: must be at most 2',
      },
      other: ['organization: required'],
    });
    expect(parseThresholds(' 50, 80%,100 ')).toEqual([0.5, 0.8, 1]);
    expect(parseThresholds('  ')).toBeUndefined();
  });

  it('stacks the largest tag values and sums the rest as "other"', () => {
    const keys = Array.from({ length: MAX_SERIES + 2 }, (_, i) => ({
      key: `k${i}`,
      label: `K${i}`,
      amount: 100 - i,
    }));
    const { keys: shown, rows } = stackRows(
      series({
        keys,
        points: keys.map(k => ({
          period: '2026-12-01',
          key: k.key,
          amount: 1,
        })),
      }),
    );
    expect(shown).toHaveLength(MAX_SERIES + 1);
    expect(shown[MAX_SERIES]).toEqual({ key: 'other', label: 'Other' });
    expect(rows).toEqual([
      expect.objectContaining({ period: '2026-12-01', k0: 1, other: 2 }),
    ]);
    expect(monthLabel('2026-07')).toBe('Jul 2026');
  });

  it('reads a Group as a team of its organization and a System as the organization', () => {
    const annotations = { 'ingestion.backstage.io/organization': 'finance' };
    expect(
      spendScopeOf({
        kind: 'Group',
        metadata: { name: 'Finance-Data', annotations },
      }),
    ).toEqual({ organization: 'finance', team: 'group:default/finance-data' });
    expect(
      spendScopeOf({ kind: 'System', metadata: { name: 'x', annotations } }),
    ).toEqual({ organization: 'finance' });
    expect(spendScopeOf({ kind: 'Group', metadata: { name: 'x' } })).toBe(
      undefined,
    );
  });
});
