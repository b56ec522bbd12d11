import type {
  AuthService,
  DiscoveryService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { pipelineUpdatePermission } from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  codegenPipelineOf,
  deployPipelineVersion,
  versionedNotebookPath,
  type WorkloadType,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import { requireValidSpec } from '../lib/buildSpec';
import { IngestionApiClient } from '../lib/IngestionApiClient';
import {
  OrganizationSettingsReader,
  toCodegenOrganization,
  toEngineOrganization,
} from '../lib/organizationConfig';
import { requireOrganizationPermission } from '../lib/organizationAccess';
import { ORGANIZATION_ID, PIPELINE_ID } from './patterns';
import { DRY_RUN_PIPELINE_ID } from './pipelineRegister';
import { examples } from './databricksDeploy.examples';

/** Id of the action that deploys a pipeline as a Databricks job. */
export const DATABRICKS_DEPLOY_ACTION_ID = 'ingestion:databricks:deploy';

/**
 * `ingestion:databricks:deploy`: deploys the registered pipeline's current version to its
 * organization's Databricks workspace: imports the generated notebook and creates the scheduled job,
 * or updates it when it exists (found by its recorded id or by name), so running it twice leaves one
 * job, then records the job in the ingestion backend (`PUT /v1/pipelines/{id}/deployment`). The
 * pipeline and the user's right to change it come from the ingestion backend's API; the workspace
 * and its token from the organization's config. For organizations on another engine (the
 * embedded default's local engine) it says so and changes nothing.
 */
export function createDatabricksDeployAction(options: {
  auth: AuthService;
  discovery: DiscoveryService;
  config: RootConfigService;
  /**
   * Where the organizations' settings come from (the module passes one shared reader). Default: a
   * reader of the ingestion backend's directory with these services.
   */
  organizations?: OrganizationSettingsReader;
}) {
  const organizations =
    options.organizations ?? new OrganizationSettingsReader(options);
  return createTemplateAction({
    id: DATABRICKS_DEPLOY_ACTION_ID,
    description:
      "Creates or updates the pipeline's job in its organization's Databricks workspace (idempotent). Does nothing for organizations on the local engine.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        pipelineId: z =>
          z
            .string()
            .regex(PIPELINE_ID)
            .describe(
              'Id of the registered pipeline, e.g. the pipelineId output of ingestion:pipeline:register',
            ),
        organization: z =>
          z
            .string()
            .regex(ORGANIZATION_ID)
            .optional()
            .describe(
              "The pipeline's organization: checked against the pipeline, and needed by dry runs of templates that register a new pipeline",
            ),
        workloadType: z =>
          z
            .enum(['batch', 'batch_large', 'streaming', 'interactive'])
            .optional()
            .describe(
              'Cluster profile; default streaming for streaming pipelines, batch otherwise',
            ),
      },
      output: {
        deployed: z =>
          z
            .boolean()
            .describe(
              'False when nothing was deployed (local engine, dry run)',
            ),
        engine: z => z.string().describe("The organization's engine"),
        message: z => z.string(),
        version: z => z.number().describe('The pipeline version deployed'),
        jobId: z => z.string().optional(),
        jobUrl: z => z.string().optional(),
        jobName: z => z.string().optional(),
        notebookPath: z => z.string().optional(),
        created: z =>
          z
            .boolean()
            .optional()
            .describe('True when the job was created, false when updated'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const api = await IngestionApiClient.forTask(ctx, options);
      if (ctx.isDryRun && input.pipelineId === DRY_RUN_PIPELINE_ID) {
        // The dry run of ingestion:pipeline:register did not create the pipeline: say what the
        // real run would do for the organization.
        if (!input.organization) {
          throw new InputError(
            'organization: a dry run for a pipeline that is not registered yet needs the organization',
          );
        }
        const organization = requireOrganizationPermission(
          await api.listOrganizations(),
          input.organization,
          pipelineUpdatePermission.name,
          'deploy pipelines',
        );
        const databricks = organization.engine === 'databricks';
        const message = databricks
          ? `Dry run: would create the job of the new pipeline in the Databricks workspace of '${organization.id}'`
          : `Organization '${organization.id}' runs its pipelines on the ${organization.engine} engine: nothing would be deployed to Databricks.`;
        ctx.logger.info(message);
        ctx.output('engine', organization.engine);
        ctx.output('version', 1);
        ctx.output('deployed', false);
        ctx.output('message', message);
        return;
      }
      const pipeline = await api.getPipeline(input.pipelineId);
      if (input.organization && input.organization !== pipeline.organization) {
        throw new InputError(
          `organization: pipeline ${pipeline.id} belongs to '${pipeline.organization}', not '${input.organization}'`,
        );
      }
      const organization = requireOrganizationPermission(
        await api.listOrganizations(),
        pipeline.organization,
        pipelineUpdatePermission.name,
        'deploy pipelines',
      );
      const label = `${pipeline.organization}/${pipeline.name}`;
      ctx.output('engine', organization.engine);
      ctx.output('version', pipeline.currentVersion);

      if (organization.engine !== 'databricks') {
        const message = `Organization '${organization.id}' runs its pipelines on the ${organization.engine} engine: ${label} runs there as registered, nothing was deployed to Databricks.`;
        ctx.logger.info(message);
        ctx.output('deployed', false);
        ctx.output('message', message);
        return;
      }

      const settings = await organizations.get(organization.id);
      if (!settings.databricks) {
        throw new InputError(
          `Organization '${organization.id}' runs on Databricks but has no workspace configured (ingestion.organizations[].databricks)`,
        );
      }
      // The job runs on its own schedule, outside the backend's runs: it gets the effective spec,
      // with the PII masks the organization's environment requires.
      const effective = await api.getEffectiveSpec(pipeline.id);
      if (effective.version !== pipeline.currentVersion) {
        throw new ConflictError(
          `Pipeline ${pipeline.id} changed to version ${effective.version} while being deployed; run the step again`,
        );
      }
      const spec = requireValidSpec(effective.spec, settings);
      if (effective.maskedColumns.length > 0) {
        ctx.logger.info(
          `Masking PII in the ${
            effective.environment
          } environment: ${effective.maskedColumns
            .map(m => `${m.column} (${m.types.join(', ') || 'tagged'})`)
            .join(', ')}`,
        );
      }
      const workloadType = input.workloadType as WorkloadType | undefined;
      const recordedJobId = pipeline.deployment?.databricksJobId;

      if (ctx.isDryRun) {
        const jobId = recordedJobId ?? '0';
        const message = `Dry run: would ${
          recordedJobId
            ? `update job ${recordedJobId}`
            : 'create or update the job'
        } of ${label} (version ${pipeline.currentVersion}) in ${
          settings.databricks.host
        }`;
        ctx.logger.info(message);
        ctx.output('deployed', false);
        ctx.output('message', message);
        ctx.output('jobId', jobId);
        ctx.output(
          'jobUrl',
          `${settings.databricks.host.replace(/\/+$/, '')}/jobs/${jobId}`,
        );
        ctx.output('jobName', `${organization.id}/${pipeline.name}`);
        ctx.output(
          'notebookPath',
          versionedNotebookPath(
            toCodegenOrganization(settings),
            codegenPipelineOf(pipeline),
          ),
        );
        ctx.output('created', !recordedJobId);
        return;
      }

      const deployed = await ctx.checkpoint({
        key: `ingestion.databricks.deploy.${pipeline.id}.v${
          effective.version
        }.${effective.specHash.slice(0, 16)}`,
        fn: async () => {
          const job = await deployPipelineVersion(
            toEngineOrganization(settings),
            pipeline,
            spec,
            workloadType ? { workloadType } : {},
          );
          return {
            jobId: String(job.jobId),
            url: job.url,
            created: job.created,
            jobName: job.jobName,
            notebookPath: job.notebookPath,
            duplicateJobIds: job.duplicateJobIds.map(String),
          };
        },
      });
      // Recorded in the backend, so the pipeline's page links the job and its runs start it.
      const workspaceUrl = settings.databricks.host.replace(/\/+$/, '');
      await ctx.checkpoint({
        key: `ingestion.databricks.record.${pipeline.id}.v${
          effective.version
        }.${effective.specHash.slice(0, 16)}`,
        fn: async () => {
          await api.recordDeployment(pipeline.id, {
            jobId: deployed.jobId,
            jobUrl: deployed.url,
            workspaceUrl,
            specHash: effective.specHash,
          });
          return deployed.jobId;
        },
      });
      if (deployed.duplicateJobIds.length > 0) {
        ctx.logger.warn(
          `Other jobs named ${
            deployed.jobName
          } exist in the workspace and were left alone: ${deployed.duplicateJobIds.join(
            ', ',
          )}`,
        );
      }
      const message = `${deployed.created ? 'Created' : 'Updated'} job ${
        deployed.jobId
      } (${deployed.jobName}) for version ${
        pipeline.currentVersion
      } of ${label}: ${deployed.url}`;
      ctx.logger.info(message);
      ctx.output('deployed', true);
      ctx.output('message', message);
      ctx.output('jobId', deployed.jobId);
      ctx.output('jobUrl', deployed.url);
      ctx.output('jobName', deployed.jobName);
      ctx.output('notebookPath', deployed.notebookPath);
      ctx.output('created', deployed.created);
    },
  });
}
