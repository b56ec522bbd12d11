import type {
  AuthService,
  DiscoveryService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  pipelineCreatePermission,
  pipelineUpdatePermission,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { requireValidSpec } from '../lib/buildSpec';
import { IngestionApiClient } from '../lib/IngestionApiClient';
import { pipelineEntityRef } from '../lib/pipelineFiles';
import { requireOrganizationPermission } from '../lib/organizationAccess';
import { ORGANIZATION_ID, PIPELINE_NAME } from './patterns';
import { examples } from './pipelineRegister.examples';

/** Id of the action that registers a pipeline with the ingestion backend. */
export const PIPELINE_REGISTER_ACTION_ID = 'ingestion:pipeline:register';

/** The id a dry run reports for a pipeline that does not exist yet. */
export const DRY_RUN_PIPELINE_ID = '00000000-0000-4000-8000-000000000000';

/** JSON with sorted keys, to compare specs whatever order their keys came in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/** The portal page of a pipeline. */
export function pipelineUrl(config: RootConfigService, id: string): string {
  const base = (config.getOptionalString('app.baseUrl') ?? '').replace(
    /\/+$/,
    '',
  );
  return `${base}/ingestion/pipelines/${encodeURIComponent(id)}`;
}

/**
 * `ingestion:pipeline:register`: saves the pipeline in the ingestion backend through its API, as
 * the user running the template: a new pipeline, or a new version of the pipeline with that name
 * (with optimistic concurrency; an unchanged spec saves nothing). The backend checks the user's
 * permissions and validates the spec again.
 */
export function createPipelineRegisterAction(options: {
  auth: AuthService;
  discovery: DiscoveryService;
  config: RootConfigService;
}) {
  const { config } = options;
  return createTemplateAction({
    id: PIPELINE_REGISTER_ACTION_ID,
    description:
      'Registers the pipeline in the ingestion backend (or saves a new version of the pipeline with that name) and outputs its id, portal URL and catalog entity ref.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        organization: z =>
          z
            .string()
            .regex(ORGANIZATION_ID)
            .describe('Id of the organization, e.g. finance'),
        name: z => z.string().regex(PIPELINE_NAME).describe('Pipeline name'),
        spec: z =>
          z
            .record(z.unknown())
            .describe(
              'The pipeline spec, usually the `spec` output of ingestion:pipeline:create',
            ),
        description: z => z.string().max(2000).optional(),
        owner: z =>
          z
            .string()
            .max(255)
            .optional()
            .describe(
              'Entity ref of the owner; defaults to the user running the template',
            ),
        comment: z =>
          z
            .string()
            .max(500)
            .optional()
            .describe('Recorded with the version, e.g. why it changed'),
      },
      output: {
        pipelineId: z => z.string(),
        organization: z => z.string(),
        version: z =>
          z
            .number()
            .describe('The version saved (or the current one when unchanged)'),
        created: z => z.boolean().describe('True for a new pipeline'),
        unchanged: z =>
          z.boolean().describe('True when the spec equals the current version'),
        pipelineUrl: z =>
          z.string().describe('The pipeline page in the portal'),
        entityRef: z =>
          z.string().describe('The catalog entity of the pipeline'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const spec = requireValidSpec(input.spec);
      const api = await IngestionApiClient.forTask(ctx, options);
      const label = `${input.organization}/${input.name}`;
      const comment =
        input.comment ??
        `Created from template ${ctx.templateInfo?.entityRef ?? ''}`.trim();

      let result: {
        id: string;
        version: number;
        created: boolean;
        unchanged: boolean;
      };
      if (ctx.isDryRun) {
        const existing = await api.findPipelineByName(
          input.organization,
          input.name,
        );
        // What the backend would check, so a dry run fails where the real run would.
        requireOrganizationPermission(
          await api.listOrganizations(),
          input.organization,
          existing
            ? pipelineUpdatePermission.name
            : pipelineCreatePermission.name,
          existing ? 'update pipelines' : 'create pipelines',
        );
        result = existing
          ? {
              id: existing.id,
              version: existing.currentVersion + 1,
              created: false,
              unchanged: false,
            }
          : {
              id: DRY_RUN_PIPELINE_ID,
              version: 1,
              created: true,
              unchanged: false,
            };
        ctx.logger.info(
          `Dry run: would ${
            existing ? `save version ${result.version} of` : 'create'
          } pipeline ${label}`,
        );
      } else {
        result = await ctx.checkpoint({
          key: `ingestion.pipeline.register.${input.organization}.${input.name}`,
          fn: async () => {
            const existing = await api.findPipelineByName(
              input.organization,
              input.name,
            );
            if (!existing) {
              const created = await api.createPipeline({
                organization: input.organization,
                name: input.name,
                description: input.description,
                owner: input.owner,
                spec,
                comment,
              });
              return {
                id: created.id,
                version: created.currentVersion,
                created: true,
                unchanged: false,
              };
            }
            const current = await api.getPipeline(existing.id);
            const sameSpec = canonical(current.spec) === canonical(spec);
            const sameOwner =
              !input.owner || input.owner.toLowerCase() === current.owner;
            const sameDescription =
              input.description === undefined ||
              input.description === current.description;
            if (sameSpec && sameOwner && sameDescription) {
              return {
                id: current.id,
                version: current.currentVersion,
                created: false,
                unchanged: true,
              };
            }
            const updated = await api.updatePipeline(current.id, {
              spec,
              expectedVersion: current.currentVersion,
              description: input.description,
              owner: input.owner,
              comment,
            });
            return {
              id: updated.id,
              version: updated.currentVersion,
              created: false,
              unchanged: false,
            };
          },
        });
        let message = `Saved version ${result.version} of pipeline ${label}`;
        if (result.created) {
          message = `Created pipeline ${label} (${result.id})`;
        } else if (result.unchanged) {
          message = `Pipeline ${label} already has this spec at version ${result.version}: nothing saved`;
        }
        ctx.logger.info(message);
      }

      ctx.output('pipelineId', result.id);
      ctx.output('organization', input.organization);
      ctx.output('version', result.version);
      ctx.output('created', result.created);
      ctx.output('unchanged', result.unchanged);
      ctx.output('pipelineUrl', pipelineUrl(config, result.id));
      ctx.output(
        'entityRef',
        pipelineEntityRef(input.organization, input.name),
      );
    },
  });
}
