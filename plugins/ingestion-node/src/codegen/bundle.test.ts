import { parse } from 'yaml';
import { buildBundle, pipelineSlug } from './bundle';
import { buildJobSettings } from './job';
import { finance, healthcare, pipeline } from './__fixtures__/organizations';

describe('buildBundle', () => {
  const job = buildJobSettings({
    organization: finance,
    pipeline,
    notebookPath: '/Shared/ingestion/finance/daily-transactions',
    workloadType: 'batch',
    schedule: { cron: '0 2 * * *' },
    exclusive: true,
    baseParameters: { watermark: '' },
  });
  const files = buildBundle({
    organization: finance,
    slug: 'daily-transactions',
    job,
    notebook: '# Databricks notebook source\n',
  });

  it('writes databricks.yml, the job resource and the notebook', () => {
    expect(Object.keys(files)).toEqual([
      'databricks.yml',
      'resources/daily-transactions.job.yml',
      'src/daily-transactions.py',
    ]);
    expect(files['src/daily-transactions.py']).toBe(
      '# Databricks notebook source\n',
    );
  });

  it('targets the organization workspace in its environment', () => {
    expect(parse(files['databricks.yml'])).toEqual({
      bundle: { name: 'finance-daily-transactions' },
      include: ['resources/*.yml'],
      targets: {
        production: {
          mode: 'production',
          default: true,
          workspace: {
            host: 'https://finance.cloud.databricks.com',
            root_path:
              '/Workspace/Shared/ingestion/finance/.bundle/${bundle.name}/${bundle.target}',
          },
        },
      },
    });
  });

  it('declares the job with the notebook path relative to the resource file', () => {
    const resource = parse(files['resources/daily-transactions.job.yml']);
    const bundled = resource.resources.jobs['daily-transactions'];
    expect(bundled.tasks[0].notebook_task.notebook_path).toBe(
      '../src/daily-transactions.py',
    );
    expect({ ...bundled, tasks: undefined }).toEqual({
      ...job,
      tasks: undefined,
    });
  });

  it('uses development mode for development organizations', () => {
    const dev = buildBundle({
      organization: healthcare,
      slug: 'x',
      job,
      notebook: '',
    });
    expect(parse(dev['databricks.yml']).targets.development.mode).toBe(
      'development',
    );
    expect(
      parse(dev['databricks.yml']).targets.development.workspace.host,
    ).toBeUndefined();
  });
});

describe('pipelineSlug', () => {
  it.each([
    [{ id: 'p1', name: 'Daily Transactions' }, 'daily_transactions'],
    [{ id: 'p1', name: '../../etc/passwd' }, 'etc_passwd'],
    [{ id: 'p1', name: '   ' }, 'p1'],
    [{ id: '---', name: '***' }, 'pipeline'],
  ])('%j -> %s', (input, slug) => {
    expect(pipelineSlug(input)).toBe(slug);
  });
});
