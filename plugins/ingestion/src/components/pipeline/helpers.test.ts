import { pipeline, qualityResult } from '../__testUtils__/fixtures';
import { formatIcebergType } from '../TableEntityContent/TableMetadataView';
import { formatBytes, formatCost, formatDuration } from '../common/format';
import { lineDiff } from './lineDiff';
import { lastMonths } from './PipelineCost';
import { pipelineFlow } from './PipelineOverview';
import { staleDeployment } from './PipelineGovernance';
import { summarizeRules } from './PipelineQuality';

describe('lineDiff', () => {
  it('keeps common lines and marks removed and added ones in order', () => {
    expect(lineDiff('a\nb\nc\nd', 'a\nc\nx\nd\ne')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'removed', text: 'b' },
      { kind: 'same', text: 'c' },
      { kind: 'added', text: 'x' },
      { kind: 'same', text: 'd' },
      { kind: 'added', text: 'e' },
    ]);
  });

  it('reports no change for equal texts', () => {
    expect(lineDiff('a\nb', 'a\nb').every(l => l.kind === 'same')).toBe(true);
  });
});

describe('summarizeRules', () => {
  it('takes the newest result of each rule as its latest and counts passes', () => {
    const rules = summarizeRules([
      qualityResult('r-3', 1, true),
      qualityResult('r-3', 0, false),
      qualityResult('r-2', 0, true),
      qualityResult('r-1', 0, true),
    ]);
    expect(
      rules.map(r => [r.latest.ruleIndex, r.latest.runId, r.passed, r.runs]),
    ).toEqual([
      [0, 'r-3', 2, 3],
      [1, 'r-3', 1, 1],
    ]);
  });
});

describe('lastMonths', () => {
  it('lists months oldest first across a year boundary', () => {
    expect(lastMonths(3, new Date(Date.UTC(2026, 0, 15)))).toEqual([
      '2025-11',
      '2025-12',
      '2026-01',
    ]);
  });
});

describe('pipelineFlow', () => {
  it('names the datasets of a valid spec and gives up on an invalid one', () => {
    const flow = pipelineFlow({
      pipeline_type: 'batch',
      source: { type: 'postgres', connection: 'shop', table: 'orders' },
      transformations: [],
      target: {
        type: 'iceberg',
        catalog: 'c',
        schema: 's',
        table: 't',
      },
    });
    expect(flow?.sources.map(s => s.name)).toEqual(['shop/orders']);
    expect(flow?.target.name).toBe('c.s.t');
    expect(pipelineFlow({ source: 'nothing' })).toBeUndefined();
  });
});

describe('formatting', () => {
  it('reads nested Iceberg types', () => {
    expect(
      formatIcebergType({
        type: 'map',
        key: 'string',
        value: {
          type: 'struct',
          fields: [
            { id: 3, name: 'n', type: { type: 'list', element: 'int' } },
          ],
        },
      }),
    ).toBe('map<string, struct<n: list<int>>>');
  });

  it('formats sizes, durations and money', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatDuration(1500)).toBe('1.5 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(3_900_000)).toBe('1 h 5 min');
    expect(formatCost(12.5, 'EUR')).toBe('€12.50');
    expect(formatCost(0.0042)).toBe('$0.0042');
    expect(formatCost(undefined)).toBe('—');
  });
});

describe('staleDeployment', () => {
  const effective = {
    pipelineId: 'p-1',
    version: 3,
    environment: 'staging',
    spec: {},
    specHash: 'hash-of-version-3',
    maskedColumns: [],
  };

  it('is silent while the job runs what the runs execute, or nothing is deployed', () => {
    expect(staleDeployment(pipeline, effective)).toBeUndefined();
    expect(
      staleDeployment({ ...pipeline, deployment: undefined }, effective),
    ).toBeUndefined();
  });

  it('names the version the job runs when it is an older one', () => {
    expect(staleDeployment(pipeline, { ...effective, version: 4 })).toBe(
      'The Databricks job runs version 3; deploy version 4 to update it.',
    );
  });

  it('asks for a new deployment when the masks changed, or the spec was not recorded', () => {
    expect(
      staleDeployment(pipeline, { ...effective, specHash: 'with-masks' }),
    ).toMatch(/predates the PII masks this environment now requires/);
    const { specHash: _none, ...unrecorded } = pipeline.deployment!;
    expect(
      staleDeployment({ ...pipeline, deployment: unrecorded }, effective),
    ).toMatch(/the backend updates it within minutes/);
  });
});
