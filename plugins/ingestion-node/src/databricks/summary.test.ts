import {
  findQualityFailureSummary,
  notebookRunResult,
  parseNotebookSummary,
} from './summary';
import { batchSpec } from './__testUtils__/fixtures';

const summary = {
  organization: 'finance',
  pipeline_id: 'pl-7f3a2c',
  pipeline_version: '3',
  run_id: 'run-1',
  status: 'succeeded',
  rows_read: 120,
  rows_written: 118,
  quality: [
    {
      rule: 'completeness(customer_id, amount)',
      kind: 'completeness',
      severity: 'fail',
      passed: true,
      total: 120,
      failed: 2,
      pass_rate: 0.983333,
      threshold: 0.95,
    },
    {
      rule: 'row_count',
      kind: 'row_count',
      severity: 'warn',
      passed: true,
      total: 118,
      min: 1,
      max: null,
    },
  ],
  watermark: '2026-11-24T10:00:00',
};

describe('parseNotebookSummary', () => {
  it('reads the summary a generated notebook exits with', () => {
    expect(parseNotebookSummary(JSON.stringify(summary))).toMatchObject({
      status: 'succeeded',
      rows_read: 120,
      watermark: '2026-11-24T10:00:00',
    });
  });

  it('rejects results that are not run summaries, naming the problems', () => {
    expect(() => parseNotebookSummary('done')).toThrow(/not JSON/);
    expect(() =>
      parseNotebookSummary(
        JSON.stringify({ status: 'succeeded', rows_read: -1, quality: {} }),
      ),
    ).toThrow(
      /rows_read must be a non-negative number; rows_written .*; quality must be a list/,
    );
  });
});

describe('findQualityFailureSummary', () => {
  const failed = {
    ...summary,
    status: 'quality_failed',
    quality: [{ ...summary.quality[0], passed: false, pass_rate: 0.5 }],
  };

  it('finds the summary raised as QualityFailure in the error or the trace', () => {
    const error = `QualityFailure: ${JSON.stringify(failed)}`;
    expect(findQualityFailureSummary(error)?.status).toBe('quality_failed');
    const trace = [
      '\u001b[0;31m---------------------------------------------------------------------------\u001b[0m',
      'class QualityFailure(Exception): {"not": "it"}',
      `\u001b[0;31mQualityFailure\u001b[0m: ${JSON.stringify(failed)}`,
    ].join('\n');
    expect(
      findQualityFailureSummary(undefined, trace)?.quality[0].pass_rate,
    ).toBe(0.5);
  });

  it('returns undefined for other failures', () => {
    expect(
      findQualityFailureSummary('ValueError: bad {"status": "x"}'),
    ).toBeUndefined();
    expect(findQualityFailureSummary(undefined, '')).toBeUndefined();
  });
});

describe('notebookRunResult', () => {
  const spec = batchSpec();

  it('maps rows, quality results (matched to the spec rules), the watermark and the target table', () => {
    const result = notebookRunResult(
      parseNotebookSummary(JSON.stringify(summary)),
      {
        spec,
        dbus: 1.5,
      },
    );
    expect(result).toEqual({
      rowsRead: 120,
      rowsWritten: 118,
      bytesWritten: 0,
      dbus: 1.5,
      watermarkOut: '2026-11-24T10:00:00',
      quality: [
        {
          ruleIndex: 0,
          ruleType: 'completeness',
          columns: ['customer_id', 'amount'],
          severity: 'fail',
          threshold: 0.95,
          observed: 0.983333,
          passed: true,
          failedRows: 2,
          message:
            'completeness(customer_id, amount): pass rate 0.983333 (2 of 120 rows failed); threshold 0.95',
        },
        {
          ruleIndex: 1,
          ruleType: 'row_count',
          columns: [],
          severity: 'warn',
          observed: 118,
          passed: true,
          message: 'row_count: 118 rows; expected 1 to any',
        },
      ],
      tables: [
        {
          format: 'iceberg',
          catalogName: 'finance_catalog',
          namespace: 'analytics',
          tableName: 'daily_transactions',
        },
      ],
    });
  });

  it('reports nothing written and keeps the watermark for a quality-failed run', () => {
    const result = notebookRunResult(
      {
        ...parseNotebookSummary(JSON.stringify(summary)),
        status: 'quality_failed',
      },
      { spec, dbus: 0.2 },
    );
    expect(result.rowsWritten).toBe(0);
    expect(result.tables).toEqual([]);
    expect(result.watermarkOut).toBeUndefined();
    expect(result.rowsRead).toBe(120);
  });

  it('resolves relative Delta paths under the organization storage', () => {
    const deltaSpec = batchSpec({
      target: { type: 'delta', path: 'curated/transactions', mode: 'append' },
    });
    const result = notebookRunResult(
      { ...parseNotebookSummary(JSON.stringify(summary)), quality: [] },
      { spec: deltaSpec, dbus: 0, storage: 's3://finance-data-lake/' },
    );
    expect(result.tables).toEqual([
      {
        format: 'delta',
        location: 's3://finance-data-lake/curated/transactions',
      },
    ]);
  });
});
