import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { FINAL_RUN_STATUSES } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { PipelinesService } from '../service/PipelinesService';
import type { RunsService } from '../service/RunsService';
import { SpecProblemsError } from '../spec/SpecProblemsError';
import {
  fieldProblemSchema,
  pipelineSchema,
  plain,
  runSchema,
} from './schemas';

/** How many of a pipeline's latest runs `get-pipeline` returns. */
const LATEST_RUNS = 5;

/**
 * Pipeline and run actions: each calls the service the HTTP route calls, with the caller's
 * credentials, so an action never does what the caller could not do through the API.
 */
export function registerPipelineActions(options: {
  actionsRegistry: ActionsRegistryService;
  pipelines: PipelinesService;
  runs: RunsService;
}) {
  const { actionsRegistry, pipelines, runs } = options;

  actionsRegistry.register({
    name: 'list-pipelines',
    title: 'List ingestion pipelines',
    description:
      'Lists the ingestion pipelines the caller may read, newest change first, optionally of one organization or whose name contains a text. Returns a page and the cursor of the next one.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          organization: z
            .string()
            .optional()
            .describe('Only pipelines of this organization id, e.g. `finance`'),
          nameContains: z.string().optional(),
          cursor: z.string().optional().describe('`nextCursor` of a page'),
          limit: z.number().int().min(1).max(100).optional(),
        }),
      output: z =>
        z.object({
          items: z.array(pipelineSchema(z)),
          nextCursor: z.string().optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      const page = await pipelines.list(credentials, {
        organization: input.organization,
        nameContains: input.nameContains,
        sort: 'updatedAt',
        order: 'desc',
        cursor: input.cursor,
        limit: input.limit ?? 20,
      });
      return {
        output: { items: page.items.map(plain), nextCursor: page.nextCursor },
      };
    },
  });

  actionsRegistry.register({
    name: 'get-pipeline',
    title: 'Get an ingestion pipeline and its latest runs',
    description: `Returns a pipeline with the spec of its current version and its ${LATEST_RUNS} latest runs. Not found when the caller may not read it.`,
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z => z.object({ pipelineId: z.string().min(1) }),
      output: z =>
        z.object({
          pipeline: pipelineSchema(z).extend({
            spec: z.record(z.unknown()),
          }),
          latestRuns: z.array(runSchema(z)),
        }),
    },
    action: async ({ input, credentials }) => {
      const pipeline = await pipelines.get(credentials, input.pipelineId);
      const latest = await runs.list(credentials, {
        pipelineId: pipeline.id,
        limit: LATEST_RUNS,
      });
      return {
        output: {
          pipeline: plain(pipeline),
          latestRuns: latest.items.map(plain),
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'validate-pipeline-spec',
    title: 'Validate an ingestion pipeline spec',
    description:
      "Checks a pipeline spec (the JSON form of pipeline.yaml). With an organization (of which the caller must be a member), also checks that the catalogs and storage it names are that organization's. Returns every problem with its path.",
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          spec: z.record(z.unknown()).describe('The pipeline spec'),
          organization: z.string().optional(),
        }),
      output: z =>
        z.object({
          valid: z.boolean(),
          problems: z.array(fieldProblemSchema(z)),
        }),
    },
    action: async ({ input, credentials }) => {
      try {
        await pipelines.validateSpec(credentials, input);
        return { output: { valid: true, problems: [] } };
      } catch (error) {
        if (error instanceof SpecProblemsError) {
          return {
            output: {
              valid: false,
              problems: error.problems.map(p => ({
                path: p.path,
                message: p.message,
              })),
            },
          };
        }
        throw error;
      }
    },
  });

  actionsRegistry.register({
    name: 'trigger-run',
    title: 'Trigger a run of an ingestion pipeline',
    description:
      "Queues a run of the pipeline's current version (needs the execute permission; quotas and budgets apply as for the API). Returns the queued run; poll `get-run` for its status.",
    attributes: { readOnly: false, destructive: false, idempotent: false },
    schema: {
      input: z => z.object({ pipelineId: z.string().min(1) }),
      output: z => z.object({ run: runSchema(z) }),
    },
    action: async ({ input, credentials }) => ({
      output: {
        run: plain(
          await runs.trigger(credentials, input.pipelineId, {
            trigger: 'api',
          }),
        ),
      },
    }),
  });

  actionsRegistry.register({
    name: 'get-run',
    title: 'Get the status of an ingestion run',
    description:
      'Returns a run: its status (queued, submitted, running, succeeded, failed, quality_failed, cancelled), rows, duration, cost and error, and whether the status is final.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z => z.object({ runId: z.string().min(1) }),
      output: z => z.object({ run: runSchema(z), final: z.boolean() }),
    },
    action: async ({ input, credentials }) => {
      const run = await runs.get(credentials, input.runId);
      return {
        output: {
          run: plain(run),
          final: FINAL_RUN_STATUSES.includes(run.status),
        },
      };
    },
  });
}
