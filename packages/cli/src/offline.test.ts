import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { briefBatchExample } from '@ingestion-for-backstage/plugin-ingestion-common';
import { stringify } from 'yaml';
import { ingestion } from './__testUtils__/captureIo';
import { EXIT } from './exitCodes';

describe('offline commands', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingestion-cli-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };

  describe('validate', () => {
    it('accepts the brief example', async () => {
      const file = write('pipeline.yaml', stringify(briefBatchExample()));
      const result = await ingestion(['validate', file, '--org', 'finance']);
      expect(result).toMatchObject({
        code: EXIT.OK,
        stdout: `${file}: valid\n`,
      });
    });

    it('lists every problem with its line, column and path, and exits 1', async () => {
      const spec = briefBatchExample();
      const text = stringify({
        ...spec,
        target: { ...spec.target, table: undefined, partition: 'x' },
      });
      const file = write('pipeline.yaml', text);
      const result = await ingestion(['validate', file]);
      expect(result.code).toBe(EXIT.FAILED);
      const line =
        text.split('\n').findIndex(l => l.includes('partition:')) + 1;
      expect(result.stdout).toContain(
        `${file}:${line}:14: target.partition: unknown key`,
      );
      expect(result.stdout).toMatch(/target\.table: `table` is required/);
      expect(result.stdout).toMatch(/2 problems in 1 of 1 file\n$/);
    });

    it("refuses another organization's catalog with --org", async () => {
      const file = write('pipeline.yaml', stringify(briefBatchExample()));
      const result = await ingestion(['validate', file, '--org', 'retail']);
      expect(result.code).toBe(EXIT.FAILED);
      expect(result.stdout).toMatch(/target\.catalog: .*retail/);
    });

    it('reports syntax errors with their position, and JSON with --json', async () => {
      const file = write('pipeline.yaml', 'pipeline_type: batch\nsource: [\n');
      const result = await ingestion(['validate', file, '--json']);
      expect(result.code).toBe(EXIT.FAILED);
      const body = JSON.parse(result.stdout);
      expect(body.valid).toBe(false);
      expect(body.files[0].problems[0]).toMatchObject({
        path: '',
        message: expect.stringMatching(/syntax error at line \d+/),
        location: { line: expect.any(Number) },
      });
    });

    it('validates every pipeline file of a folder', async () => {
      write('a/pipeline.yaml', stringify(briefBatchExample('a_table')));
      write('b/pipeline.yaml', 'pipeline_type: nightly\n');
      write('b/notes.yaml', 'not: a pipeline\n');
      const result = await ingestion(['validate', dir]);
      expect(result.code).toBe(EXIT.FAILED);
      expect(result.stdout).toContain(
        `${path.join(dir, 'a/pipeline.yaml')}: valid`,
      );
      expect(result.stdout).toContain(
        `${path.join(dir, 'b/pipeline.yaml')}:1:16: pipeline_type`,
      );
      expect(result.stdout).not.toContain('notes.yaml');
    });

    it('exits 2 for a missing file', async () => {
      const result = await ingestion(['validate', path.join(dir, 'nope.yaml')]);
      expect(result.code).toBe(EXIT.USAGE);
      expect(result.stderr).toMatch(/no such file/);
    });
  });

  describe('render', () => {
    it('writes the notebook, job and bundle for the organization', async () => {
      const file = write(
        'daily-transactions/pipeline.yaml',
        stringify(briefBatchExample()),
      );
      const out = path.join(dir, 'out');
      const result = await ingestion([
        'render',
        file,
        '--org',
        'finance',
        '--cost-center',
        'FIN-001',
        '--out',
        out,
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(EXIT.OK);
      const job = JSON.parse(
        fs.readFileSync(path.join(out, 'job.json'), 'utf8'),
      );
      expect(job.tags).toMatchObject({
        Organization: 'finance',
        CostCenter: 'FIN-001',
      });
      expect(job.name).toContain('daily-transactions');
      expect(
        fs.readFileSync(path.join(out, 'databricks.yml'), 'utf8'),
      ).toContain('finance-daily-transactions');
      const notebook = fs.readFileSync(
        path.join(out, 'src/daily-transactions.py'),
        'utf8',
      );
      expect(notebook).toContain('# Databricks notebook source');
      expect(notebook).toContain('finance_catalog');
    });

    it('refuses to render an invalid spec, with its problems', async () => {
      const file = write('pipeline.yaml', 'pipeline_type: batch\n');
      const result = await ingestion([
        'render',
        file,
        '--org',
        'finance',
        '--out',
        path.join(dir, 'out'),
      ]);
      expect(result.code).toBe(EXIT.FAILED);
      expect(result.stderr).toMatch(/source: /);
      expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
    });

    it('needs an organization', async () => {
      const file = write('pipeline.yaml', stringify(briefBatchExample()));
      const result = await ingestion(['render', file, '--out', dir]);
      expect(result.code).toBe(EXIT.USAGE);
    });
  });

  describe('help, usage and completion', () => {
    it('prints help for every command and exits 0', async () => {
      for (const args of [[], ['pipelines'], ['runs', 'logs'], ['costs']]) {
        const result = await ingestion([...args, '--help']);
        expect(result.code).toBe(EXIT.OK);
        expect(result.stdout).toMatch(/^Usage: ingestion/);
      }
    });

    it('exits 2 on an unknown command or option', async () => {
      expect((await ingestion(['frobnicate'])).code).toBe(EXIT.USAGE);
      const result = await ingestion(['validate', '--frob', 'x.yaml']);
      expect(result.code).toBe(EXIT.USAGE);
      expect(result.stderr).toMatch(/unknown option '--frob'/);
    });

    it('prints bash and zsh completion with every command', async () => {
      const bash = await ingestion(['completion', 'bash']);
      expect(bash.code).toBe(EXIT.OK);
      expect(bash.stdout).toContain(
        'complete -o default -F _ingestion_complete ingestion',
      );
      expect(bash.stdout).toContain(
        '"pipelines") words="list get apply delete versions rollback --help"',
      );
      expect(bash.stdout).toContain(
        '"pipelines apply") words="--org --name --comment --dry-run --json --help"',
      );
      const zsh = await ingestion(['completion', 'zsh']);
      expect(zsh.stdout).toMatch(/^#compdef ingestion/);
      expect((await ingestion(['completion', 'fish'])).code).toBe(EXIT.USAGE);
    });

    it('needs a portal for online commands', async () => {
      const result = await ingestion(['orgs'], {
        env: {},
      });
      // Without INGESTION_URL it falls back to a backstage-cli login, which tests do not have.
      expect(result.code).toBe(EXIT.USAGE);
      expect(result.stderr).toMatch(/INGESTION_URL/);
    });
  });
});
