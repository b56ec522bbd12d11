import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import type { LineageGraphService } from '../lineage/LineageGraphService';
import type { CostsService } from '../service/CostsService';
import type { TablesService } from '../service/TablesService';
import { plain } from './schemas';

/** `YYYY-MM` of `now`, in UTC: the cost records' period. */
function monthOf(now: Date): string {
  return now.toISOString().slice(0, 7);
}

/**
 * Table, lineage and cost actions: each calls the service the HTTP route calls, with the
 * caller's credentials.
 */
export function registerDataActions(options: {
  actionsRegistry: ActionsRegistryService;
  tables: TablesService;
  lineage: LineageGraphService;
  costs: CostsService;
  clock?: () => Date;
}) {
  const { actionsRegistry, tables, lineage, costs } = options;

  actionsRegistry.register({
    name: 'get-table',
    title: 'Get an ingestion table and its schema',
    description:
      'Returns a table a pipeline writes: its identifier (catalog.namespace.table), format, owner, classification, PII columns, schema, row count and size. Not found when the caller may not read it.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z => z.object({ tableId: z.string().min(1) }),
      output: z =>
        z.object({
          table: z
            .object({
              id: z.string(),
              organization: z.string(),
              format: z.string(),
              identifier: z.string().optional(),
              pipelineId: z.string().optional(),
              classification: z.string().optional(),
              piiColumns: z.array(z.string()).optional(),
              schema: z.record(z.unknown()).optional(),
              rowCount: z.number().optional(),
              sizeBytes: z.number().optional().describe('Size in bytes'),
            })
            .passthrough(),
        }),
    },
    action: async ({ input, credentials }) => ({
      output: {
        table: plain(await tables.get(credentials, input.tableId, 'metadata')),
      },
    }),
  });

  actionsRegistry.register({
    name: 'get-lineage',
    title: 'Get table and column lineage',
    description:
      'Returns the lineage graph up and/or down stream of a pipeline or of a dataset (e.g. `iceberg:finance_catalog.analytics.daily`), N pipeline hops deep; with a column, the lineage of that column. Pipelines the caller may not read are left out.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          organization: z.string().min(1),
          pipelineId: z.string().optional(),
          dataset: z
            .string()
            .optional()
            .describe('A lineage ref: `iceberg:catalog.namespace.table`'),
          column: z.string().optional(),
          direction: z.enum(['upstream', 'downstream', 'both']).optional(),
          depth: z.number().int().min(1).max(10).optional(),
        }),
      output: z =>
        z.object({
          root: z.string(),
          nodes: z.array(
            z
              .object({ id: z.string(), kind: z.string(), name: z.string() })
              .passthrough(),
          ),
          edges: z.array(z.object({ from: z.string(), to: z.string() })),
          columnEdges: z.array(z.object({}).passthrough()).optional(),
          truncated: z.boolean(),
        }),
    },
    action: async ({ input, credentials }) => {
      const graph = await lineage.graph(credentials, {
        organization: input.organization,
        pipelineId: input.pipelineId,
        dataset: input.dataset,
        column: input.column,
        columns: input.column !== undefined,
        direction: input.direction ?? 'both',
        depth: input.depth ?? 3,
      });
      return {
        output: {
          root: graph.root,
          nodes: graph.nodes.map(plain),
          edges: graph.edges,
          columnEdges: graph.columnEdges?.map(plain),
          truncated: graph.truncated,
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'get-month-to-date-cost',
    title: "Get an organization's month-to-date cost",
    description:
      "Returns an organization's cost of the current month so far (UTC), in its currency (USD by default), grouped by pipeline, service type, cost center or environment, with the monthly budget and what remains of it.",
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          organization: z.string().min(1),
          groupBy: z
            .enum(['pipeline', 'serviceType', 'costCenter', 'environment'])
            .optional(),
        }),
      output: z =>
        z.object({
          organization: z.string(),
          month: z.string().describe('The current month, YYYY-MM (UTC)'),
          currency: z.string(),
          total: z.number(),
          budget: z
            .object({
              monthly: z.number(),
              spentThisMonth: z.number(),
              remaining: z.number(),
            })
            .optional(),
          groups: z.array(
            z.object({
              key: z.string(),
              amount: z.number(),
              quantity: z.number(),
            }),
          ),
        }),
    },
    action: async ({ input, credentials }) => {
      const month = monthOf(options.clock?.() ?? new Date());
      const report = await costs.report(credentials, {
        organization: input.organization,
        groupBy: input.groupBy ?? 'pipeline',
        from: month,
        to: month,
      });
      return {
        output: {
          organization: report.organization,
          month,
          currency: report.currency,
          total: report.total,
          budget: report.budget,
          groups: report.groups,
        },
      };
    },
  });
}
