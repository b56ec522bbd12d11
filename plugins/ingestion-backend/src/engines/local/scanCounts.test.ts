import { fullScanRows } from './scanCounts';

const scan = (name: string, rows: number, extra: object = {}) => ({
  operator_name: name,
  operator_cardinality: rows,
  extra_info: { Function: name, ...extra },
  children: [],
});
const plan = (...children: object[]) => ({
  children: [
    {
      operator_name: 'CREATE_TABLE_AS',
      operator_cardinality: 1,
      children: [
        {
          operator_name: 'HASH_GROUP_BY',
          operator_cardinality: 12,
          children: [
            { operator_name: 'FILTER', operator_cardinality: 7, children },
          ],
        },
      ],
    },
  ],
});

describe('fullScanRows', () => {
  it('counts the rows of the one scan of the source', () => {
    expect(fullScanRows(plan(scan('READ_CSV', 2000)), 'READ_CSV')).toBe(2000);
  });

  it('does not count a scan with a filter pushed into it, nor several scans, nor none', () => {
    expect(
      fullScanRows(
        plan(scan('READ_PARQUET', 5, { Filters: 'amount>0' })),
        'READ_PARQUET',
      ),
    ).toBeUndefined();
    expect(
      fullScanRows(
        plan(scan('READ_CSV', 10), scan('READ_CSV', 10)),
        'READ_CSV',
      ),
    ).toBeUndefined();
    expect(
      fullScanRows(plan(scan('READ_JSON', 10)), 'READ_CSV'),
    ).toBeUndefined();
  });
});
