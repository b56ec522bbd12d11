import {
  resolveSafeChildPath,
  type AuthService,
  type DiscoveryService,
  type LoggerService,
  type RootConfigService,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import {
  createTemplateAction,
  getRepoSourceDirectory,
  initRepoAndPush,
} from '@backstage/plugin-scaffolder-node';
import { pipelineCreatePermission } from '@ingestion-for-backstage/plugin-ingestion-common';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { IngestionApiClient } from '../lib/IngestionApiClient';
import {
  bareRepositoryState,
  initBareRepository,
  serveBareRepository,
} from '../lib/localGitRemote';
import { OrganizationSettingsReader } from '../lib/organizationConfig';
import { requireOrganizationPermission } from '../lib/organizationAccess';
import { silentLogger } from '../lib/taskSafeErrors';
import { BRANCH_NAME, ORGANIZATION_ID, REPOSITORY_NAME } from './patterns';
import { examples } from './repoPublish.examples';

/** Id of the action that publishes the workspace to the organization's local git repositories. */
export const REPO_PUBLISH_ACTION_ID = 'ingestion:repo:publish';

/** Folder of an organization's storage root that holds its pipeline repositories. */
export const REPOSITORIES_FOLDER = 'repositories';

/**
 * Where an organization's repository lives: `<storage root>/repositories/<name>.git`, for
 * organizations whose storage is a local folder (the embedded default).
 */
export async function localRepositoryPath(
  organizations: OrganizationSettingsReader,
  organizationId: string,
  repoName: string,
): Promise<string> {
  const settings = await organizations.get(organizationId);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(settings.storage)) {
    throw new InputError(
      `Organization '${organizationId}' keeps its data in ${settings.storage}, not on this machine: publish its repositories with publish:github or publish:gitlab`,
    );
  }
  const root = path.resolve(settings.storage);
  return resolveSafeChildPath(
    root,
    path.join(REPOSITORIES_FOLDER, `${repoName}.git`),
  );
}

/**
 * `ingestion:repo:publish`: pushes the workspace, with the scaffolder's git helpers, to a new bare
 * repository under the organization's storage root, so the embedded default needs no git server.
 * The push goes over git's smart HTTP protocol to a server on the loopback interface that lives for
 * the push only. Refuses to touch a repository that already has commits.
 */
export function createRepoPublishAction(options: {
  auth: AuthService;
  discovery: DiscoveryService;
  config: RootConfigService;
  /**
   * Where the git helper's progress goes. Not the task log: its lines name the workspace folder
   * on the server. Default: nowhere.
   */
  logger?: LoggerService;
  /**
   * Where the organizations' settings come from (the module passes one shared reader). Default: a
   * reader of the ingestion backend's directory with these services.
   */
  organizations?: OrganizationSettingsReader;
}) {
  const organizations =
    options.organizations ?? new OrganizationSettingsReader(options);
  const gitLogger = options.logger ?? silentLogger;
  return createTemplateAction({
    id: REPO_PUBLISH_ACTION_ID,
    description:
      "Initializes a git repository in the workspace and pushes it to a new bare repository under the organization's storage root (the embedded default's git remote). Production templates use publish:github or publish:gitlab.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        organization: z =>
          z
            .string()
            .regex(ORGANIZATION_ID)
            .describe('Id of the organization that owns the repository'),
        repoName: z =>
          z
            .string()
            .regex(REPOSITORY_NAME)
            .describe(
              "Repository name: lower-case letters, digits, '.', '_' and '-'",
            ),
        sourcePath: z =>
          z
            .string()
            .optional()
            .describe(
              'Workspace folder to publish; default the workspace root',
            ),
        defaultBranch: z =>
          z
            .string()
            .regex(BRANCH_NAME)
            .optional()
            .describe("Branch to create; default 'main'"),
        commitMessage: z => z.string().max(1000).optional(),
        gitAuthorName: z => z.string().max(255).optional(),
        gitAuthorEmail: z => z.string().max(255).optional(),
      },
      output: {
        remoteUrl: z =>
          z
            .string()
            .describe('file:// URL of the bare repository, for git clone'),
        repoPath: z =>
          z.string().describe('Where the bare repository is on disk'),
        defaultBranch: z => z.string(),
        commitHash: z =>
          z.string().describe('The pushed commit (zeros in a dry run)'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const api = await IngestionApiClient.forTask(ctx, options);
      requireOrganizationPermission(
        await api.listOrganizations(),
        input.organization,
        pipelineCreatePermission.name,
        'publish pipeline repositories',
      );
      const repoPath = await localRepositoryPath(
        organizations,
        input.organization,
        input.repoName,
      );
      const remoteUrl = pathToFileURL(repoPath).href;
      const defaultBranch = input.defaultBranch ?? 'main';
      const sourceDir = getRepoSourceDirectory(
        ctx.workspacePath,
        input.sourcePath,
      );
      const alreadyThere = () =>
        new ConflictError(
          `repoName: organization '${input.organization}' already has a repository '${input.repoName}'; choose another name`,
        );

      let commitHash: string;
      if (ctx.isDryRun) {
        if ((await bareRepositoryState(repoPath)) === 'has-commits') {
          throw alreadyThere();
        }
        commitHash = '0'.repeat(40);
        ctx.logger.info(
          `Dry run: would push the workspace to the repository '${input.repoName}' of organization '${input.organization}' (${defaultBranch})`,
        );
      } else {
        ({ commitHash } = await ctx.checkpoint({
          key: `ingestion.repo.publish.${input.organization}.${input.repoName}`,
          fn: async () => {
            if ((await bareRepositoryState(repoPath)) === 'has-commits') {
              throw alreadyThere();
            }
            await initBareRepository(repoPath, defaultBranch);
            const remote = await serveBareRepository(repoPath);
            try {
              const author = ctx.user?.entity?.spec?.profile;
              return await initRepoAndPush({
                dir: sourceDir,
                remoteUrl: remote.url,
                // The loopback remote needs no credentials: its URL is a one-time secret.
                auth: { username: 'ingestion', password: 'unused' },
                logger: gitLogger,
                defaultBranch,
                commitMessage:
                  input.commitMessage ??
                  `Pipeline repository created from ${
                    ctx.templateInfo?.entityRef ?? 'a template'
                  }`,
                gitAuthorInfo: {
                  name: input.gitAuthorName ?? author?.displayName,
                  email: input.gitAuthorEmail ?? author?.email,
                },
              });
            } finally {
              await remote.close();
            }
          },
        }));
        ctx.logger.info(
          `Pushed ${commitHash} to the repository '${input.repoName}' of organization '${input.organization}' (${defaultBranch})`,
        );
      }

      ctx.output('remoteUrl', remoteUrl);
      ctx.output('repoPath', repoPath);
      ctx.output('defaultBranch', defaultBranch);
      ctx.output('commitHash', commitHash);
    },
  });
}
