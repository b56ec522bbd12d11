import { validatePipelineSpec } from '@ingestion-for-backstage/plugin-ingestion-common';
import { DEMO_PIPELINES } from './demoPipelines';
import { financeTransactionsCsv, healthcareVisitsCsv } from './sampleData';

describe('demo pipelines', () => {
  it.each(DEMO_PIPELINES.map(p => [p.name, p] as const))(
    '%s has a valid spec',
    (_name, pipeline) => {
      const result = validatePipelineSpec(pipeline.spec);
      expect(result.valid ? [] : result.problems).toEqual([]);
    },
  );

  it('generates the same sample data every time', () => {
    expect(financeTransactionsCsv(50)).toBe(financeTransactionsCsv(50));
    const lines = healthcareVisitsCsv(3).trim().split('\n');
    expect(lines[0]).toBe(
      'visit_id,patient_id,patient_name,email,ssn,phone,department,visit_date',
    );
    expect(lines[1]).toMatch(
      /^V000001,P\d{5},[a-z]+ [a-z]+,[a-z.]+@example\.org,9\d\d-\d\d-\d{4},\+1-555-\d{4},[a-z]+,2026-1\d-\d\d$/,
    );
  });
});
