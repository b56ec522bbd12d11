import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { briefBatchExample } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { PipelineSpec } from '@ingestion-for-backstage/plugin-ingestion-common';
import { renderPipelineFiles } from './pipelineFiles';

/** The repository's `ingestion` command (packages/cli), as the generated CI would install it. */
const CLI = path.resolve(__dirname, '../../../../packages/cli/bin/ingestion');

jest.setTimeout(120_000);

function sh(
  cwd: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise(resolve => {
    execFile(
      'sh',
      args,
      { cwd, env: { ...process.env, INGESTION_CLI: CLI }, timeout: 110_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

/** A generated pipeline repository validates itself with the CLI in its own CI script. */
describe('the CI of a generated pipeline repository', () => {
  let repo: string;

  beforeAll(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'ingestion-ci-'));
    const files = renderPipelineFiles({
      spec: briefBatchExample() as unknown as PipelineSpec,
      organization: {
        id: 'finance',
        name: 'Finance',
        costCenter: 'FIN-001',
        environment: 'development',
        ownerGroup: 'group:default/finance',
        engine: 'local',
        storage: 's3://finance-data-lake',
        icebergCatalog: 'finance_catalog',
        quotas: { maxDbuPerHour: 100, maxClusters: 5, maxConcurrentJobs: 10 },
      },
      pipeline: {
        name: 'daily-transactions',
        owner: 'group:default/finance',
        version: 1,
      },
      workloadType: 'batch',
      costReview: '',
    });
    for (const [file, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
      fs.writeFileSync(path.join(repo, file), content);
    }
  });
  afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('runs the script from the workflow on every change and applies on the default branch', () => {
    const workflow = fs.readFileSync(
      path.join(repo, '.github/workflows/ingestion.yml'),
      'utf8',
    );
    expect(workflow).toContain('run: sh ci/ingestion.sh validate');
    expect(workflow).toMatch(
      /if: github\.event_name == 'push' && github\.ref == format\('refs\/heads\/\{0\}', github\.event\.repository\.default_branch\)\n\s+run: sh ci\/ingestion\.sh apply/,
    );
  });

  it('validates the generated spec', async () => {
    const result = await sh(repo, ['ci/ingestion.sh', 'validate']);
    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ code: 0, stdout: 'pipeline.yaml: valid\n' });
  });

  it('fails on a broken spec, naming the line and the path', async () => {
    const spec = fs.readFileSync(path.join(repo, 'pipeline.yaml'), 'utf8');
    fs.writeFileSync(
      path.join(repo, 'pipeline.yaml'),
      spec.replace('pipeline_type: batch', 'pipeline_type: nightly'),
    );
    try {
      const result = await sh(repo, ['ci/ingestion.sh', 'validate']);
      expect(result.code).toBe(1);
      const line =
        spec.split('\n').findIndex(l => l.startsWith('pipeline_type:')) + 1;
      expect(result.stdout).toContain(
        `pipeline.yaml:${line}:16: pipeline_type:`,
      );
      // apply validates first: nothing reaches the portal.
      const apply = await sh(repo, ['ci/ingestion.sh', 'apply']);
      expect(apply.code).toBe(1);
    } finally {
      fs.writeFileSync(path.join(repo, 'pipeline.yaml'), spec);
    }
  });
});
