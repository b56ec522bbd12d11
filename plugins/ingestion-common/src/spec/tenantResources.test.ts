import { stringify } from 'yaml';
import { briefBatchExample, briefStreamingExample } from './examples';
import type { PipelineSpec } from './pipelineSpec';
import {
  organizationCatalogs,
  tenantResourceProblems,
  type OrganizationResources,
} from './tenantResources';
import { validatePipelineSpec } from './validate';

type Json = Record<string, any>;

/** Finance as production configures it: S3 storage under a prefix, the whole bucket owned. */
const finance: OrganizationResources = {
  id: 'finance',
  icebergCatalog: 'finance_catalog',
  storage: 's3://finance-data-lake/ingestion',
  storageLocations: ['s3://finance-data-lake'],
};
/** Finance as the embedded default configures it: a local folder, the default catalog. */
const localFinance: OrganizationResources = {
  id: 'finance',
  storage: '../../.data/orgs/finance',
};

function problemsFor(spec: unknown, organization: OrganizationResources) {
  const result = validatePipelineSpec(spec, { organization });
  return result.valid ? [] : result.problems;
}

function withChange(base: Json, change: (spec: Json) => void): Json {
  const spec = structuredClone(base);
  change(spec);
  return spec;
}

const fileSpec = (path: string, extra: Json = {}) => ({
  pipeline_type: 'batch',
  source: { type: 'file', path, format: 'csv', ...extra },
  target: {
    type: 'iceberg',
    catalog: 'finance_catalog',
    schema: 'raw',
    table: 'orders',
  },
});

describe('tenantResourceProblems', () => {
  it("accepts the brief's examples for finance", () => {
    expect(problemsFor(briefBatchExample(), finance)).toEqual([]);
    expect(problemsFor(briefBatchExample(), localFinance)).toEqual([]);
    expect(problemsFor(briefStreamingExample(), finance)).toEqual([]);
    expect(
      problemsFor(briefStreamingExample(), {
        ...localFinance,
        storageLocations: ['s3://finance-data-lake'],
      }),
    ).toEqual([]);
  });

  it("refuses another organization's catalog as target, source and joined dataset", () => {
    const spec = withChange(briefBatchExample(), s => {
      s.source = {
        type: 'iceberg',
        catalog: 'retail_catalog',
        schema: 'sales',
        table: 'orders',
      };
      s.transformations = [
        {
          type: 'join',
          dataset: {
            type: 'iceberg',
            catalog: 'healthcare_catalog',
            schema: 'x',
            table: 'y',
          },
          keys: ['customer_id'],
        },
      ];
      s.target.catalog = 'retail_catalog';
    });
    expect(problemsFor(spec, finance)).toEqual([
      {
        path: 'source.catalog',
        message:
          "catalog `retail_catalog` is not one of organization finance's catalogs (finance_catalog)",
      },
      {
        path: 'transformations[0].dataset.catalog',
        message:
          "catalog `healthcare_catalog` is not one of organization finance's catalogs (finance_catalog)",
      },
      {
        path: 'target.catalog',
        message:
          "catalog `retail_catalog` is not one of organization finance's catalogs (finance_catalog)",
      },
    ]);
  });

  it("accepts the organization's extra catalogs and defaults the catalog from the id", () => {
    const spec = withChange(briefBatchExample(), s => {
      s.target.catalog = 'unity';
    });
    expect(
      problemsFor(spec, { ...finance, icebergCatalogs: ['unity'] }),
    ).toEqual([]);
    expect(organizationCatalogs({ id: 'data-science' })).toEqual([
      'data_science_catalog',
    ]);
  });

  it('refuses S3 locations outside the organization, read or written, with or without a connection', () => {
    const streaming = withChange(briefStreamingExample(), s => {
      s.target.path = 's3://retail-data-lake/streaming/user-events';
      s.target.checkpoint = 's3://retail-data-lake/_checkpoints/x';
    });
    const problems = problemsFor(streaming, finance);
    expect(problems.map(p => p.path)).toEqual([
      'target.path',
      'target.checkpoint',
    ]);
    expect(problems[0].message).toBe(
      "`s3://retail-data-lake/streaming/user-events` is not in organization finance's storage (paths relative to its storage root, s3://finance-data-lake/ingestion, s3://finance-data-lake)",
    );
    for (const extra of [{}, { connection: 'lake' }]) {
      expect(
        problemsFor(
          fileSpec('s3://retail-data-lake/raw/*.csv', extra),
          finance,
        ),
      ).toEqual([
        expect.objectContaining({
          path: 'source.path',
          message: expect.stringContaining('is not in organization finance'),
        }),
      ]);
    }
  });

  it('matches prefixes on whole path segments', () => {
    const org = { id: 'finance', storage: 's3://shared-lake/finance' };
    expect(
      problemsFor(fileSpec('s3://shared-lake/finance/raw/*.csv'), org),
    ).toEqual([]);
    expect(problemsFor(fileSpec('s3://shared-lake/finance'), org)).toEqual([]);
    for (const path of [
      's3://shared-lake/finance-retail/raw/*.csv',
      's3://shared-lake/retail/raw/*.csv',
      's3://shared-lake/',
    ]) {
      expect(problemsFor(fileSpec(path), org).map(p => p.path)).toEqual([
        'source.path',
      ]);
    }
  });

  it('refuses S3 URIs for an organization whose storage is a local folder', () => {
    expect(
      problemsFor(fileSpec('s3://finance-data-lake/raw/*.csv'), localFinance),
    ).toEqual([
      {
        path: 'source.path',
        message:
          "`s3://finance-data-lake/raw/*.csv` is not in organization finance's storage (paths relative to its storage root)",
      },
    ]);
  });

  it('refuses paths that leave the storage root, even when handed a spec that skipped the schema', () => {
    for (const path of [
      '../retail/raw/x.csv',
      '/etc/passwd',
      'raw/../../x',
      'file:///x',
    ]) {
      const spec = fileSpec(path) as unknown as PipelineSpec;
      expect(
        tenantResourceProblems({ ...spec, transformations: [] }, finance),
      ).toEqual([
        expect.objectContaining({
          path: 'source.path',
          message: expect.stringContaining(
            "is not in organization finance's storage",
          ),
        }),
      ]);
      // Through the validation, the schema already refuses them at the same path.
      expect(problemsFor(fileSpec(path), finance).map(p => p.path)).toEqual([
        'source.path',
      ]);
    }
  });

  it('locates the problems of a spec given as text', () => {
    const text = stringify(
      withChange(briefBatchExample(), s => {
        s.target.catalog = 'retail_catalog';
      }),
    );
    const [problem] = problemsFor(text, finance);
    expect(problem.path).toBe('target.catalog');
    expect(problem.location?.line).toBe(
      text.split('\n').findIndex(line => line.includes('retail_catalog')) + 1,
    );
  });

  it('is not applied without an organization', () => {
    const spec = withChange(briefBatchExample(), s => {
      s.target.catalog = 'retail_catalog';
    });
    expect(validatePipelineSpec(spec).valid).toBe(true);
  });
});
