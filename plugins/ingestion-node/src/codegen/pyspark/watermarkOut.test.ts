import {
  briefBatchExample,
  validatePipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { finance } from '../__fixtures__/organizations';
import { runPython } from '../__testUtils__';
import { generateDatabricksArtifacts } from '../generate';

/** Runs the notebook's lines that set the next high-water mark, on a source of cursor values. */
const HARNESS = String.raw`
import json, sys
spec = json.loads(sys.stdin.read())

class F:
    @staticmethod
    def col(name):
        return name
    @staticmethod
    def max(column):
        return column

class Aggregate:
    def __init__(self, value):
        self.value = value
    def first(self):
        return [self.value]

class Frame:
    def __init__(self, values):
        self.values = values
    def agg(self, column):
        return Aggregate(max(self.values) if self.values else None)

SUMMARY = {"watermark": spec["watermark"]}
exec(spec["code"], {"F": F, "source_df": Frame(spec["values"]), "SUMMARY": SUMMARY})
print(json.dumps(SUMMARY))
`;

function nextMarkLines(): string {
  const result = validatePipelineSpec(briefBatchExample());
  if (!result.valid) throw new Error(JSON.stringify(result.problems));
  const { content } = generateDatabricksArtifacts({
    spec: result.spec,
    organization: finance,
    pipeline: {
      id: 'pl-1',
      name: 'daily',
      owner: 'group:default/x',
      version: 1,
    },
  }).notebook;
  const lines = content.split('\n');
  const start = lines.findIndex(line => line.startsWith('_latest = '));
  const end = lines.indexOf('    SUMMARY["watermark"] = None', start);
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  return lines.slice(start, end + 1).join('\n');
}

function summaryAfter(watermark: string | null, values: string[]) {
  return JSON.parse(
    runPython(
      HARNESS,
      JSON.stringify({ code: nextMarkLines(), watermark, values }),
    ).trim(),
  ) as { watermark: string | null };
}

describe('the high-water mark a batch notebook reports', () => {
  it('is the largest cursor value read', () => {
    expect(
      summaryAfter('2026-01-01T00:00:00', [
        '2026-01-03T00:00:00',
        '2026-01-02T00:00:00',
      ]).watermark,
    ).toBe('2026-01-03T00:00:00');
  });

  it('is none when the run read nothing: the watermark it started from is not recorded', () => {
    // An override far ahead that matches no row must not become the next run's starting point.
    expect(summaryAfter('2099-01-01T00:00:00', []).watermark).toBeNull();
  });
});
