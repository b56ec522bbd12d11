import {
  resolveSafeChildPath,
  type AuthService,
  type DiscoveryService,
  type RootConfigService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  buildSpecInput,
  getSourceDatasets,
  pipelineCreatePermission,
  pipelineUpdatePermission,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { WorkloadType } from '@ingestion-for-backstage/plugin-ingestion-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import path from 'node:path';
import { requireValidSpec } from '../lib/buildSpec';
import {
  IngestionApiClient,
  QuotaExceededError,
} from '../lib/IngestionApiClient';
import { OrganizationSettingsReader } from '../lib/organizationConfig';
import { renderCostReview, renderPipelineFiles } from '../lib/pipelineFiles';
import { requireOrganizationPermission } from '../lib/organizationAccess';
import { ORGANIZATION_ID, PIPELINE_NAME } from './patterns';
import { examples } from './pipelineCreate.examples';

/** Id of the action that builds, checks and generates a pipeline. */
export const PIPELINE_CREATE_ACTION_ID = 'ingestion:pipeline:create';

const WORKLOAD_TYPES = [
  'batch',
  'batch_large',
  'streaming',
  'interactive',
] as const;

/**
 * `ingestion:pipeline:create`: builds a pipeline spec from the template's parameters, validates it
 * (every problem at once, with its path), checks it against the organization's quotas and budget
 * with an estimate of its cost, and writes the pipeline's repository into the workspace: the spec,
 * the Databricks notebook, job and asset bundle generated from it, `catalog-info.yaml` and a README.
 * Reads from the ingestion backend only, so a dry run behaves exactly like a real run.
 */
export function createPipelineCreateAction(options: {
  auth: AuthService;
  discovery: DiscoveryService;
  config: RootConfigService;
  /**
   * Where the organizations' settings come from (the module passes one shared reader). Default: a
   * reader of the ingestion backend's directory with these services.
   */
  organizations?: OrganizationSettingsReader;
}) {
  const organizationSettings =
    options.organizations ?? new OrganizationSettingsReader(options);
  return createTemplateAction({
    id: PIPELINE_CREATE_ACTION_ID,
    description:
      'Builds and validates an ingestion pipeline spec, checks it against the organization quotas with a cost estimate, and writes the pipeline repository (spec, Databricks notebook, job and bundle, catalog-info.yaml, README) into the workspace.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        organization: z =>
          z
            .string()
            .regex(ORGANIZATION_ID)
            .describe(
              'Id of the organization the pipeline belongs to, e.g. finance',
            ),
        name: z =>
          z
            .string()
            .regex(PIPELINE_NAME)
            .describe(
              "Pipeline name: lower-case letters, digits, '-' and '_', starting with a letter",
            ),
        description: z =>
          z.string().max(2000).optional().describe('What the pipeline is for'),
        owner: z =>
          z
            .string()
            .max(255)
            .optional()
            .describe(
              'Entity ref of the owning group or user; defaults to the user running the template',
            ),
        spec: z =>
          z
            .record(z.unknown())
            .describe(
              "The pipeline spec as the template builds it from the answers. Empty answers are left out; items of transformations and data_quality whose `if` is false are left out; Iceberg tables without a catalog get the organization's catalog.",
            ),
        expectedVolumeGb: z =>
          z
            .number()
            .min(0)
            .max(1_000_000)
            .optional()
            .describe(
              'Source data per run in GB (per hour for continuous streams), for the cost estimate; default 1',
            ),
        workloadType: z =>
          z
            .enum(WORKLOAD_TYPES)
            .optional()
            .describe(
              'Cluster profile: batch, batch_large, streaming or interactive; default streaming for streaming pipelines, batch otherwise',
            ),
        ifExists: z =>
          z
            .enum(['fail', 'update'])
            .optional()
            .describe(
              "When a pipeline of that name exists: 'fail' (default) or 'update' (generate its next version)",
            ),
        targetPath: z =>
          z
            .string()
            .optional()
            .describe(
              'Workspace folder to write the files into; default the workspace root',
            ),
      },
      output: {
        organization: z => z.string(),
        name: z => z.string(),
        owner: z => z.string(),
        spec: z =>
          z
            .record(z.unknown())
            .describe('The validated spec, defaults applied'),
        files: z =>
          z.array(z.string()).describe('Files written, relative to targetPath'),
        existingPipelineId: z =>
          z
            .string()
            .optional()
            .describe('Set when updating an existing pipeline'),
        estimatedCostPerRun: z =>
          z.number().describe('Per run, or per hour of a continuous stream'),
        estimatedMonthlyCost: z => z.number(),
        currency: z => z.string(),
        budgetRemaining: z =>
          z
            .number()
            .optional()
            .describe("What is left of the organization's budget this month"),
        costEstimate: z =>
          z.record(z.unknown()).describe('How the estimate was made'),
        quotas: z =>
          z
            .record(z.unknown())
            .describe('Quotas and usage the pipeline was checked against'),
        warnings: z => z.array(z.string()),
        review: z =>
          z
            .string()
            .describe('The cost review as Markdown, for the template output'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const api = await IngestionApiClient.forTask(ctx, options);
      const ifExists = input.ifExists ?? 'fail';

      const organizations = await api.listOrganizations();
      const organization = requireOrganizationPermission(
        organizations,
        input.organization,
        pipelineCreatePermission.name,
        'create pipelines',
      );
      const settings = await organizationSettings.get(organization.id);

      const { spec: built, applied } = buildSpecInput(input.spec, {
        icebergCatalog: settings.icebergCatalog,
      });
      const spec = requireValidSpec(built, settings);
      for (const defaulted of applied) {
        ctx.logger.info(`From the organization's defaults: ${defaulted}`);
      }

      const existing = await api.findPipelineByName(
        organization.id,
        input.name,
      );
      if (existing && ifExists === 'fail') {
        throw new InputError(
          `name: organization '${organization.id}' already has a pipeline named '${input.name}'; choose another name, or change that pipeline on its page`,
        );
      }
      if (existing) {
        requireOrganizationPermission(
          organizations,
          organization.id,
          pipelineUpdatePermission.name,
          'update pipelines',
        );
      }

      const warnings: string[] = [];
      const connections = [
        ...new Set(
          getSourceDatasets(spec)
            .map(d => d.connection)
            .filter((c): c is string => !!c),
        ),
      ];
      if (connections.length > 0) {
        const known = await api
          .listConnectionNames(organization.id)
          .catch(error => {
            if (error instanceof NotAllowedError) return undefined;
            throw error;
          });
        for (const name of connections) {
          if (known && !known.includes(name)) {
            warnings.push(
              `Connection '${name}' does not exist in '${organization.id}' yet: an admin must create it before the pipeline can run.`,
            );
          }
        }
      }

      // The backend estimates (one estimate for the review step, this action and the API), so
      // its pricing, the organization's cluster sizing, budget and quotas apply as they are now.
      const costs = await api.estimateCost({
        organization: organization.id,
        spec,
        expectedVolumeGb: input.expectedVolumeGb ?? 1,
        ...(input.workloadType ? { workloadType: input.workloadType } : {}),
      });
      const { estimate, quotas } = costs;
      if (quotas.exceeded.length > 0) {
        throw new QuotaExceededError(quotas.exceeded.join(' '));
      }
      const workloadType = estimate.workloadType as WorkloadType;
      const budgetRemaining = costs.budget?.remaining;
      warnings.push(...costs.warnings);
      for (const warning of warnings) {
        ctx.logger.warn(warning);
      }

      const owner = input.owner ?? ctx.user?.ref ?? settings.ownerGroup;
      const review = renderCostReview(estimate, budgetRemaining, warnings);
      const files = renderPipelineFiles({
        spec,
        organization: settings,
        pipeline: {
          id: existing?.id,
          name: input.name,
          description: input.description,
          owner,
          version: existing ? existing.currentVersion + 1 : 1,
        },
        workloadType,
        // The repository keeps the estimate; this month's budget and warnings are the review's.
        costReview: renderCostReview(estimate, undefined, []),
      });
      const target = resolveSafeChildPath(
        ctx.workspacePath,
        input.targetPath ?? '.',
      );
      for (const [file, content] of Object.entries(files)) {
        const destination = resolveSafeChildPath(target, file);
        await fs.mkdir(path.dirname(destination), { recursive: true });
        await fs.writeFile(destination, content, 'utf8');
      }
      ctx.logger.info(
        `Wrote ${Object.keys(files).length} files for pipeline ${
          organization.id
        }/${input.name}: estimated ${estimate.costPerRun} ${
          estimate.currency
        } per ${estimate.basis}, ${estimate.costPerMonth} ${
          estimate.currency
        } a month`,
      );

      ctx.output('organization', organization.id);
      ctx.output('name', input.name);
      ctx.output('owner', owner);
      ctx.output('spec', spec as Record<string, unknown>);
      ctx.output('files', Object.keys(files));
      if (existing) ctx.output('existingPipelineId', existing.id);
      ctx.output('estimatedCostPerRun', estimate.costPerRun);
      ctx.output('estimatedMonthlyCost', estimate.costPerMonth);
      ctx.output('currency', estimate.currency);
      if (budgetRemaining !== undefined)
        ctx.output('budgetRemaining', budgetRemaining);
      ctx.output('costEstimate', { ...estimate });
      const {
        warnings: _quotaWarnings,
        exceeded: _exceeded,
        ...quotaReport
      } = quotas;
      ctx.output('quotas', quotaReport);
      ctx.output('warnings', warnings);
      ctx.output('review', review);
    },
  });
}
