import fs from 'node:fs';
import path from 'node:path';
import {
  validatePipelineSpec,
  type PipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { generateDatabricksArtifacts } from './generate';
import { SPARK_CONFIG } from './cluster';
import type { CodegenOrganization, CodegenPipeline } from './types';
import { expectGolden, pythonSyntaxError } from './__testUtils__';
import { pythonCodeIdentifiers } from './__testUtils__/pythonNames';
import {
  finance,
  healthcare,
  research,
  retail,
} from './__fixtures__/organizations';

const SPECS_DIR = path.join(__dirname, '__fixtures__', 'specs');

function loadSpec(file: string): PipelineSpec {
  const result = validatePipelineSpec(
    fs.readFileSync(path.join(SPECS_DIR, file), 'utf8'),
  );
  if (!result.valid) {
    throw new Error(`${file}: ${JSON.stringify(result.problems)}`);
  }
  return result.spec;
}

/** Every fixture spec, the organization it runs in, and the pipeline it is a version of. */
const CASES: Array<{
  file: string;
  organization: CodegenOrganization;
  pipeline: CodegenPipeline;
}> = [
  {
    file: 'seed-batch.json',
    organization: finance,
    pipeline: {
      id: 'pl-batch-1',
      name: 'daily-transactions',
      owner: 'group:default/finance-analytics',
      version: 1,
    },
  },
  {
    file: 'seed-streaming.json',
    organization: finance,
    pipeline: {
      id: 'pl-stream-1',
      name: 'user-events',
      owner: 'group:default/finance-analytics',
      version: 2,
    },
  },
  {
    file: 'postgres-merge.yaml',
    organization: healthcare,
    pipeline: {
      id: 'pl-crm-7',
      name: 'CRM customers',
      owner: 'group:default/healthcare-data',
      version: 12,
      project: 'HLT-CRM',
      description: 'Customer master data, upserted daily.',
    },
  },
  {
    file: 'files-join.yaml',
    organization: retail,
    pipeline: {
      id: 'pl-orders',
      name: 'enriched-orders',
      owner: 'group:default/retail-data',
      version: 4,
    },
  },
  {
    file: 'http-delta.yaml',
    organization: retail,
    pipeline: {
      id: 'pl-tickets',
      name: 'ticket-stats',
      owner: 'user:default/jane',
      version: 1,
    },
  },
  {
    file: 'iceberg-chain.yaml',
    organization: finance,
    pipeline: {
      id: 'pl-eur',
      name: 'monthly-eur',
      owner: 'group:default/finance-analytics',
      version: 3,
    },
  },
  {
    file: 'kafka-iceberg.yaml',
    organization: finance,
    pipeline: {
      id: 'pl-merchants',
      name: 'merchant-volume',
      owner: 'group:default/payments',
      version: 1,
    },
  },
  {
    file: 'files-streaming.yaml',
    organization: finance,
    pipeline: {
      id: 'pl-tx-stream',
      name: 'transactions-stream',
      owner: 'group:default/finance-analytics',
      version: 1,
    },
  },
  {
    file: 'kafka-batch-strings.yaml',
    organization: research,
    pipeline: {
      id: 'pl-audit',
      name: 'audit-sessions',
      owner: 'group:default/research',
      version: 1,
    },
  },
];

function generate(index: number) {
  const { file, organization, pipeline } = CASES[index];
  return generateDatabricksArtifacts({
    spec: loadSpec(file),
    organization,
    pipeline,
  });
}

describe('generateDatabricksArtifacts', () => {
  describe.each(CASES.map((c, index) => [c.file, index] as const))(
    '%s',
    (file, index) => {
      const name = file.replace(/\.(json|yaml)$/, '');
      const artifacts = generate(index);

      it('generates a notebook that parses as Python', () => {
        expect(pythonSyntaxError(artifacts.notebook.content)).toBeUndefined();
      });

      it('matches the golden notebook, job and bundle', () => {
        expectGolden(`${name}/notebook.py`, artifacts.notebook.content);
        expectGolden(
          `${name}/job.json`,
          `${JSON.stringify(artifacts.job, null, 2)}\n`,
        );
        const { 'databricks.yml': databricksYml, ...rest } =
          artifacts.bundle.files;
        expectGolden(`${name}/bundle/databricks.yml`, databricksYml);
        const [resource, notebookFile] = Object.keys(rest);
        expect(resource).toMatch(/^resources\/.+\.job\.yml$/);
        expectGolden(`${name}/bundle/${resource}`, rest[resource]);
        // The bundled notebook is the notebook itself.
        expect(rest[notebookFile]).toBe(artifacts.notebook.content);
      });

      it('is deterministic', () => {
        const again = generateDatabricksArtifacts(
          structuredClone({ ...CASES[index], spec: loadSpec(file) }),
        );
        expect(again).toEqual(artifacts);
        expect(JSON.stringify(again)).toBe(JSON.stringify(artifacts));
      });
    },
  );

  it('covers every source, transform, target and quality rule kind', () => {
    const specs = CASES.map(c => loadSpec(c.file));
    const seen = (values: string[]) => [...new Set(values)].sort();
    expect(
      seen(
        specs.flatMap(s => [
          s.source.type,
          ...s.transformations.flatMap(t =>
            t.type === 'join' ? [t.dataset.type] : [],
          ),
        ]),
      ),
    ).toEqual([
      'file',
      'http',
      'iceberg',
      'kafka',
      'mariadb',
      'mysql',
      'postgres',
    ]);
    expect(
      seen(
        specs
          .flatMap(s => (s.source.type === 'file' ? [s.source.format] : []))
          .concat(
            specs.flatMap(s =>
              s.transformations.flatMap(t =>
                t.type === 'join' && t.dataset.type === 'file'
                  ? [t.dataset.format]
                  : [],
              ),
            ),
          ),
      ),
    ).toEqual(['csv', 'json', 'parquet']);
    expect(
      seen(specs.flatMap(s => s.transformations.map(t => t.type))),
    ).toEqual([
      'aggregate',
      'cast',
      'dedupe',
      'derive',
      'filter',
      'join',
      'mask',
      'rename',
      'select',
      'window',
    ]);
    expect(seen(specs.map(s => `${s.target.type}:${s.target.mode}`))).toEqual([
      'delta:append',
      'delta:merge',
      'iceberg:append',
      'iceberg:merge',
      'iceberg:overwrite',
      'parquet:overwrite',
    ]);
    expect(seen(specs.flatMap(s => s.data_quality.map(r => r.type)))).toEqual([
      'allowed_values',
      'completeness',
      'expression',
      'freshness',
      'pattern',
      'range',
      'row_count',
      'uniqueness',
    ]);
    expect(
      seen(specs.flatMap(s => s.data_quality.map(r => r.severity))),
    ).toEqual(['drop', 'fail', 'warn']);
  });
});

describe('streaming from files arriving in a folder (Auto Loader -> Iceberg)', () => {
  const index = CASES.findIndex(c => c.file === 'files-streaming.yaml');
  const { notebook, job } = generate(index);

  it('reads new files with Auto Loader, with the declared columns as the schema', () => {
    expect(notebook.content).toContain('spark.readStream.format("cloudFiles")');
    expect(notebook.content).toContain('.option("cloudFiles.format", "csv")');
    expect(notebook.content).toContain(
      '.option("cloudFiles.maxFilesPerTrigger", "100")',
    );
    expect(notebook.content).toContain(
      'SOURCE_SCHEMA = "`customer_id` string, `amount` decimal(18, 2), `status` string, `updated_at` timestamp"',
    );
    expect(notebook.content).toContain(
      '    .schema(SOURCE_SCHEMA)\n    .load("s3://finance-data-lake/landing/transactions")\n)',
    );
    // Declared columns need no inferred schema.
    expect(notebook.content).not.toContain('cloudFiles.schemaLocation');
    expect(notebook.content).not.toContain('spark.read.format("csv")');
  });

  it('checkpoints where the spec says and triggers at its interval', () => {
    expect(notebook.content).toContain(
      'CHECKPOINT_LOCATION = "s3://finance-data-lake/_checkpoints/transactions-stream"',
    );
    expect(notebook.content).toContain('.trigger(processingTime="30 seconds")');
    expect(notebook.content).not.toContain('availableNow');
    expect(job.max_concurrent_runs).toBe(1);
    expect(job.schedule).toBeUndefined();
  });
});

describe('the seed batch example (MySQL -> Iceberg)', () => {
  const { notebook, job } = generate(0);

  it('reads MySQL over JDBC with credentials from the org/connection secret scope, incrementally', () => {
    expect(notebook.content).toContain('spark.read.format("jdbc")');
    expect(notebook.content).toContain(
      '.option("password", dbutils.secrets.get(scope="ingestion-finance-finance-db", key="password"))',
    );
    expect(notebook.content).toContain('.option("dbtable", "`transactions`")');
    expect(notebook.content).toContain('dbutils.widgets.text("watermark", "")');
    expect(notebook.content).toContain(
      'source_df = source_df.filter(F.col("updated_at") > F.lit(WATERMARK).cast(_cursor_type))',
    );
  });

  it('applies the filter through the expression language and aggregates', () => {
    expect(notebook.content).toContain(
      'df = df.filter(F.expr("`amount` > 0"))',
    );
    expect(notebook.content).toContain(
      'F.sum(F.col("amount")).alias("amount")',
    );
    expect(notebook.content).toContain('F.count(F.lit(1)).alias("count")');
  });

  it('checks completeness, writes Iceberg through Unity Catalog and exits with the summary', () => {
    expect(notebook.content).toContain(
      'df = check_rows(df, "completeness(customer_id, amount)", "completeness", "fail", 0.95,',
    );
    expect(notebook.content).toContain(
      'TARGET_TABLE = "`finance_catalog`.`analytics`.`daily_transactions`"',
    );
    expect(notebook.content).toContain('.using("iceberg")');
    expect(notebook.content).toContain(
      'dbutils.notebook.exit(json.dumps(SUMMARY, default=str))',
    );
    expect(notebook.content).toMatch(/SUMMARY\["watermark"\] = /);
  });

  it('schedules the job at 02:00 UTC on the finance cluster with the seed settings', () => {
    expect(job.schedule).toEqual({
      quartz_cron_expression: '0 0 2 * * ?',
      timezone_id: 'UTC',
      pause_status: 'UNPAUSED',
    });
    const cluster = job.job_clusters![0].new_cluster;
    expect(cluster.node_type_id).toBe('i3.xlarge');
    expect(cluster.autoscale).toEqual({ min_workers: 2, max_workers: 10 });
    expect(cluster.spark_conf).toEqual(SPARK_CONFIG);
    expect(cluster.custom_tags).toMatchObject({
      Organization: 'finance',
      CostCenter: 'FIN-001',
      Service: 'pipeline',
    });
    // Incremental: one run at a time, or two runs would read from the same watermark.
    expect(job.max_concurrent_runs).toBe(1);
    expect(job.tasks![0].notebook_task!.base_parameters).toEqual({
      watermark: '',
      full_refresh: '',
      run_id: '{{job.run_id}}',
    });
  });
});

describe('the seed streaming example (Kafka -> Delta)', () => {
  const { notebook, job } = generate(1);

  it('reads Kafka as a stream and parses JSON values', () => {
    expect(notebook.content).toContain('spark.readStream.format("kafka")');
    expect(notebook.content).toContain(
      '.option("kafka.group.id", "finance-analytics")',
    );
    expect(notebook.content).toContain(
      'F.from_json(F.col("value").cast("string"), VALUE_SCHEMA)',
    );
  });

  it('groups by a 5 minute tumbling window on the record timestamp', () => {
    expect(notebook.content).toContain(
      'F.window(F.col("timestamp"), "5 minutes").alias("window")',
    );
  });

  it('writes micro-batches to Delta with a checkpoint and the update output mode', () => {
    expect(notebook.content).toContain(
      'df.writeStream.foreachBatch(process_batch)',
    );
    expect(notebook.content).toContain('.outputMode("update")');
    expect(notebook.content).toContain(
      'CHECKPOINT_LOCATION = "s3://finance-data-lake/_checkpoints/pl-stream-1"',
    );
    expect(notebook.content).toContain(
      'TARGET_PATH = "s3://finance-data-lake/streaming/user-events"',
    );
    expect(notebook.content).not.toContain('.trigger(');
  });

  it('runs on a streaming cluster, one run at a time, without a schedule', () => {
    expect(job.job_clusters![0].new_cluster.autoscale).toEqual({
      min_workers: 3,
      max_workers: 10,
    });
    expect(job.max_concurrent_runs).toBe(1);
    expect(job.schedule).toBeUndefined();
  });
});

describe('generation inputs', () => {
  it('uses the organization quota for concurrent runs of non-incremental batch pipelines', () => {
    expect(generate(3).job.max_concurrent_runs).toBe(50);
  });

  it('honours an explicit workload type', () => {
    const { file, organization, pipeline } = CASES[3];
    const { job } = generateDatabricksArtifacts({
      spec: loadSpec(file),
      organization,
      pipeline,
      workloadType: 'batch_large',
    });
    expect(job.job_clusters![0].new_cluster.autoscale).toEqual({
      min_workers: 5,
      max_workers: 50,
    });
    expect(
      job.job_clusters![0].new_cluster.aws_attributes!.first_on_demand,
    ).toBe(11);
  });

  it('rejects invalid specs with every problem', () => {
    const spec = {
      ...loadSpec('seed-batch.json'),
      transformations: [{ type: 'filter', condition: 'amount >' }],
    };
    expect(() =>
      generateDatabricksArtifacts({
        spec: spec as PipelineSpec,
        organization: finance,
        pipeline: CASES[0].pipeline,
      }),
    ).toThrow(
      /Invalid pipeline spec for pl-batch-1: transformations\[0\]\.condition: /,
    );
  });

  it('needs organization storage for relative paths', () => {
    expect(() =>
      generateDatabricksArtifacts({
        spec: loadSpec('files-join.yaml'),
        // Owning the catalog the spec joins from, so that only its storage is missing.
        organization: { ...research, icebergCatalogs: ['retail_catalog'] },
        pipeline: CASES[3].pipeline,
      }),
    ).toThrow(
      'Path "raw/orders/*.csv" is relative to the organization\'s storage, but organization "research" has none configured',
    );
  });
});

describe('hostile text in a valid spec', () => {
  const EVIL = '") ; __import__("os").system("owned") ; ("';
  const EVIL_NL =
    'x\n# COMMAND ----------\nimport subprocess; subprocess.call("pwned")';
  const spec = loadSpec('postgres-merge.yaml');
  const hostile: PipelineSpec = {
    ...spec,
    source: { ...spec.source },
    transformations: [
      { type: 'filter', condition: `status != '${EVIL.replace(/'/g, "''")}'` },
      ...spec.transformations,
    ],
    data_quality: [
      {
        type: 'pattern',
        severity: 'warn',
        threshold: 1,
        columns: ['email'],
        pattern: String.raw`^(?:"|'|\\|__import__\("os"\)\.system\("owned"\))+$`,
      },
      {
        type: 'allowed_values',
        severity: 'drop',
        threshold: 0,
        columns: ['status'],
        values: [EVIL, EVIL_NL],
      },
      {
        type: 'expression',
        severity: 'fail',
        threshold: 1,
        expression: `email <> '${EVIL_NL}'`,
      },
    ],
  };
  const artifacts = generateDatabricksArtifacts({
    spec: hostile,
    organization: { ...healthcare, name: EVIL_NL },
    pipeline: {
      id: 'pl-evil',
      name: EVIL_NL,
      owner: EVIL,
      version: EVIL,
      description: EVIL_NL,
    },
  });

  it('keeps every hostile value inside string literals, comments or markdown', () => {
    const notebook = artifacts.notebook.content;
    expect(pythonSyntaxError(notebook)).toBeUndefined();
    const identifiers = pythonCodeIdentifiers(notebook);
    for (const injected of [
      '__import__',
      'system',
      'subprocess',
      'call',
      'owned',
      'pwned',
    ]) {
      expect(identifiers).not.toContain(injected);
    }
    // The markdown title cannot open a new cell.
    expect(
      notebook.split('\n').filter(line => line === '# COMMAND ----------'),
    ).toHaveLength(8);
  });

  it('keeps names usable as file names and tags', () => {
    expect(Object.keys(artifacts.bundle.files)).toEqual([
      'databricks.yml',
      'resources/x_command_----------_import_subprocess_subprocess_call_pwned.job.yml',
      'src/x_command_----------_import_subprocess_subprocess_call_pwned.py',
    ]);
    for (const value of Object.values(
      artifacts.job.job_clusters![0].new_cluster.custom_tags!,
    )) {
      expect(value).toMatch(/^[\p{L}\p{N} +\-=._:/@]{1,255}$/u);
    }
  });
});
