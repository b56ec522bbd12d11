import {
  briefBatchExample,
  briefStreamingExample,
  validatePipelineSpec,
  type PipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { finance } from './__fixtures__/organizations';
import { generateDatabricksArtifacts } from './generate';

const pipeline = {
  id: 'pl-1',
  name: 'tenant-check',
  owner: 'group:default/finance',
  version: 1,
};

/** A spec that passed validation without an organization, as a caller might hand it over. */
function structurallyValid(spec: unknown): PipelineSpec {
  const result = validatePipelineSpec(spec);
  if (!result.valid) throw new Error(JSON.stringify(result.problems));
  return result.spec;
}

describe('generateDatabricksArtifacts: tenant resources', () => {
  it("generates the brief's examples for finance", () => {
    for (const spec of [briefBatchExample(), briefStreamingExample()]) {
      expect(
        generateDatabricksArtifacts({
          spec: structurallyValid(spec),
          organization: finance,
          pipeline,
        }).notebook.content,
      ).toContain('finance');
    }
  });

  it("never generates a notebook naming another organization's catalog", () => {
    const spec = briefBatchExample();
    spec.target.catalog = 'retail_catalog';
    expect(() =>
      generateDatabricksArtifacts({
        spec: structurallyValid(spec),
        organization: finance,
        pipeline,
      }),
    ).toThrow(
      "target.catalog: catalog `retail_catalog` is not one of organization finance's catalogs (finance_catalog)",
    );
  });

  it("never generates a notebook naming another organization's bucket", () => {
    const spec = briefStreamingExample();
    spec.target.path = 's3://retail-data-lake/streaming/user-events';
    expect(() =>
      generateDatabricksArtifacts({
        spec: structurallyValid(spec),
        organization: finance,
        pipeline,
      }),
    ).toThrow(
      /target\.path: `s3:\/\/retail-data-lake\/streaming\/user-events` is not in organization finance's storage/,
    );
  });
});
