import {
  createMockDirectory,
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { actionContext, outputsOf } from '../__testUtils__/actionContext';
import {
  actionServices,
  FakeIngestionApi,
} from '../__testUtils__/fakeIngestionApi';
import { organizationConfig, testConfig } from '../__testUtils__/testConfig';
import { createRepoPublishAction } from './repoPublish';

function git(...args: string[]): string {
  return execFileSync('git', args, { encoding: 'utf8' });
}

describe('ingestion:repo:publish', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const storage = createMockDirectory();
  const workspace = createMockDirectory();
  const clones = createMockDirectory();
  let api: FakeIngestionApi;
  const action = (data: Record<string, any> = testConfig(storage.path)) =>
    createRepoPublishAction({
      ...actionServices(),
      config: mockServices.rootConfig({ data }),
    });
  const repoPath = (name: string) =>
    path.join(storage.path, 'finance', 'repositories', `${name}.git`);

  beforeEach(() => {
    storage.clear();
    clones.clear();
    workspace.setContent({
      'pipeline.yaml': 'pipeline_type: batch\n',
      'README.md': '# daily-transactions\n',
      'src/daily-transactions.py': '# Databricks notebook source\n',
    });
    api = new FakeIngestionApi(server);
    // The push goes to a git server on the loopback interface.
    server.use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()));
  });

  it("pushes the workspace to a new bare repository under the organization's storage", async () => {
    const ctx = actionContext(
      { organization: 'finance', repoName: 'daily-transactions' },
      { workspacePath: workspace.path },
    );
    await action().handler(ctx);

    const out = outputsOf(ctx);
    expect(out).toEqual({
      remoteUrl: `file://${repoPath('daily-transactions')}`,
      repoPath: repoPath('daily-transactions'),
      defaultBranch: 'main',
      commitHash: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    const clone = path.join(clones.path, 'daily-transactions');
    git('clone', '--quiet', out.remoteUrl, clone);
    expect(
      fs.readFileSync(path.join(clone, 'src/daily-transactions.py'), 'utf8'),
    ).toBe('# Databricks notebook source\n');
    expect(git('-C', clone, 'rev-parse', 'HEAD').trim()).toBe(out.commitHash);
    expect(git('-C', clone, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe(
      'main',
    );
    expect(git('-C', clone, 'log', '-1', '--format=%s')).toContain(
      'Pipeline repository created from template:default/test-template',
    );
    git('-C', out.repoPath, 'fsck', '--strict');
    expect(api.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'GET /v1/organizations',
    ]);
  });

  it('publishes a folder on a branch with the given commit message and author', async () => {
    workspace.setContent({
      'pipeline/pipeline.yaml': 'pipeline_type: batch\n',
      'other.txt': 'x',
    });
    const ctx = actionContext(
      {
        organization: 'finance',
        repoName: 'card-payments',
        sourcePath: 'pipeline',
        defaultBranch: 'trunk',
        commitMessage: 'Add the card-payments pipeline',
        gitAuthorName: 'Fiona Engineer',
        gitAuthorEmail: 'fiona@example.com',
      },
      { workspacePath: workspace.path },
    );
    await action().handler(ctx);
    const clone = path.join(clones.path, 'card-payments');
    git('clone', '--quiet', outputsOf(ctx).remoteUrl, clone);
    expect(fs.readdirSync(clone).sort()).toEqual(['.git', 'pipeline.yaml']);
    expect(git('-C', clone, 'log', '-1', '--format=%s|%an|%ae|%D').trim()).toBe(
      'Add the card-payments pipeline|Fiona Engineer|fiona@example.com|HEAD -> trunk, origin/trunk, origin/HEAD',
    );
  });

  it('refuses to touch a repository that already has commits', async () => {
    await action().handler(
      actionContext(
        { organization: 'finance', repoName: 'taken' },
        { workspacePath: workspace.path },
      ),
    );
    const before = git('-C', repoPath('taken'), 'rev-parse', 'main');
    const other = createMockDirectory({ content: { 'x.txt': 'other' } });
    for (const dryRun of [false, true]) {
      const error = await action()
        .handler(
          actionContext(
            { organization: 'finance', repoName: 'taken' },
            { workspacePath: other.path, dryRun },
          ),
        )
        .catch(e => e);
      expect(error.name).toBe('ConflictError');
      expect(error.message).toMatch(
        /^repoName: organization 'finance' already has a repository 'taken'/,
      );
    }
    expect(git('-C', repoPath('taken'), 'rev-parse', 'main')).toBe(before);
  });

  it('does not push twice when a retried task replays the step', async () => {
    const checkpoints = new Map();
    const input = { organization: 'finance', repoName: 'retried' };
    await action().handler(
      actionContext(input, { workspacePath: workspace.path, checkpoints }),
    );
    const retried = actionContext(input, {
      workspacePath: workspace.path,
      checkpoints,
    });
    await action().handler(retried);
    expect(outputsOf(retried).commitHash).toBe(
      git('-C', repoPath('retried'), 'rev-parse', 'main').trim(),
    );
  });

  it('writes nothing in a dry run', async () => {
    const ctx = actionContext(
      { organization: 'finance', repoName: 'daily-transactions' },
      { workspacePath: workspace.path, dryRun: true },
    );
    await action().handler(ctx);
    expect(outputsOf(ctx)).toMatchObject({
      remoteUrl: `file://${repoPath('daily-transactions')}`,
      commitHash: '0'.repeat(40),
    });
    expect(fs.existsSync(path.join(storage.path, 'finance'))).toBe(false);
    expect(fs.existsSync(path.join(workspace.path, '.git'))).toBe(false);
  });

  it('refuses analysts and other organizations, and names that leave the folder', async () => {
    const analyst = await action()
      .handler(
        actionContext(
          { organization: 'finance', repoName: 'x' },
          {
            workspacePath: workspace.path,
            user: 'user:default/finance-analyst',
          },
        ),
      )
      .catch(e => e);
    expect(analyst.name).toBe('NotAllowedError');
    expect(analyst.message).toContain(
      'You cannot publish pipeline repositories',
    );

    const outsider = await action()
      .handler(
        actionContext(
          { organization: 'finance', repoName: 'x' },
          { workspacePath: workspace.path, user: 'user:default/retail-admin' },
        ),
      )
      .catch(e => e);
    expect(outsider.name).toBe('NotFoundError');

    const escape = await action()
      .handler(
        actionContext(
          { organization: 'finance', repoName: '../../../escape' },
          { workspacePath: workspace.path },
        ),
      )
      .catch(e => e);
    expect(escape).toBeInstanceOf(Error);
    expect(fs.existsSync(path.join(storage.path, 'escape.git'))).toBe(false);
  });

  it('points organizations on S3 to publish:github', async () => {
    const config = testConfig(storage.path);
    config.ingestion.organizations[0] = organizationConfig(
      'finance',
      's3://finance-data-lake',
    );
    const error = await action(config)
      .handler(
        actionContext(
          { organization: 'finance', repoName: 'x' },
          { workspacePath: workspace.path },
        ),
      )
      .catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toContain('publish:github or publish:gitlab');
  });

  it('passes on the backend answering 429', async () => {
    api.failNext('GET', /^\/v1\/organizations/, 429, {
      name: 'QuotaExceededError',
      message: 'too many requests',
    });
    const error = await action()
      .handler(
        actionContext(
          { organization: 'finance', repoName: 'x' },
          { workspacePath: workspace.path },
        ),
      )
      .catch(e => e);
    expect(error.name).toBe('QuotaExceededError');
    expect(fs.existsSync(repoPath('x'))).toBe(false);
  });
});
