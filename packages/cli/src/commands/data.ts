import type {
  Chargeback,
  DataTable,
  OrganizationSummary,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { CliError, EXIT } from '../exitCodes';
import { money, renderCsv, renderTable, type Cell } from '../io';
import { resolvePipelineId } from '../resolve';

interface LineageGraph {
  root: string;
  nodes: Array<{ id: string; kind: string; name: string; depth: number }>;
  edges: Array<{ from: string; to: string }>;
  columnEdges?: Array<{
    from: { node: string; column: string };
    to: { node: string; column: string };
    kind: string;
  }>;
  truncated: boolean;
}

interface SpendSeries {
  organization: string;
  currency: string;
  from: string;
  to: string;
  total: number;
  keys: Array<{ key: string; label: string; amount: number }>;
}

interface ChargebackBreakdown {
  organization: string;
  month: string;
  currency: string;
  by: string;
  total: number;
  lines: Array<{ key: string; serviceType: string; amount: number }>;
}

/** The last day of a `YYYY-MM` month, `YYYY-MM-DD`. */
function lastDay(month: string): string {
  const [year, m] = month.split('-').map(Number);
  return new Date(Date.UTC(year, m, 0)).toISOString().slice(0, 10);
}

/** `orgs`, `tables list|show`, `lineage`, `costs`. */
export function registerDataCommands(program: Command, ctx: CommandContext) {
  program
    .command('orgs')
    .description(
      'Your organizations, your roles in them, and their quotas in use',
    )
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const client = await ctx.api();
      const { items } = await client.get<{ items: OrganizationSummary[] }>(
        '/organizations',
      );
      ctx.print(options, items, () => ({
        head: [
          'ID',
          'NAME',
          'COST CENTER',
          'ENVIRONMENT',
          'ENGINE',
          'ROLES',
          'RUNNING',
          'BUDGET',
        ],
        rows: items.map(o => [
          o.id,
          o.name,
          o.costCenter,
          o.environment,
          o.engine,
          o.roles.join(', '),
          `${o.usage.concurrentRuns}/${o.quotas.databricks.maxConcurrentJobs}`,
          o.budget ? `${money(o.budget.monthly)}/month` : '',
        ]),
      }));
    });

  const tables = program
    .command('tables')
    .description('Tables pipelines write');
  tables
    .command('list')
    .description('The tables you may read')
    .option('--org <id>', 'only this organization')
    .option(
      '--pipeline <pipeline>',
      'only tables this pipeline writes (id or <org>/<name>)',
    )
    .option('--json', 'print JSON')
    .action(
      async (options: { org?: string; pipeline?: string; json?: boolean }) => {
        const client = await ctx.api();
        const pipelineId = options.pipeline
          ? await resolvePipelineId(client, options.pipeline, options.org)
          : undefined;
        const items = await client.all<DataTable>('/tables', {
          organization: options.org,
          pipelineId,
        });
        ctx.print(options, items, () => ({
          head: [
            'ORGANIZATION',
            'TABLE',
            'FORMAT',
            'ROWS',
            'SIZE (bytes)',
            'CLASSIFICATION',
            'ID',
          ],
          rows: items.map(t => [
            t.organization,
            t.identifier ?? t.location,
            t.format,
            t.rowCount,
            t.sizeBytes,
            t.classification,
            t.id,
          ]),
        }));
      },
    );
  tables
    .command('show')
    .description("A table's details and schema")
    .argument('<table>', 'the table id')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const client = await ctx.api();
      const table = await client.get<DataTable>(`/tables/${id}`);
      const fields = (
        table.schema as { fields?: Array<Record<string, unknown>> } | undefined
      )?.fields;
      ctx.print(options, table, () =>
        [
          renderTable(
            ['FIELD', 'VALUE'],
            [
              ['id', table.id],
              ['identifier', table.identifier],
              ['organization', table.organization],
              ['format', table.format],
              ['location', table.location],
              ['owner', table.owner],
              ['pipeline', table.pipelineId],
              ['classification', table.classification],
              ['PII columns', table.piiColumns?.join(', ')],
              ['rows', table.rowCount],
              [
                'size',
                table.sizeBytes === undefined
                  ? undefined
                  : `${table.sizeBytes} bytes`,
              ],
              ['updated', table.updatedAt],
            ],
          ),
          fields
            ? `\nSchema:\n${renderTable(
                ['COLUMN', 'TYPE', 'REQUIRED'],
                fields.map(f => [
                  f.name as Cell,
                  typeof f.type === 'string' ? f.type : JSON.stringify(f.type),
                  f.required as Cell,
                ]),
              )}`
            : '',
        ].join(''),
      );
    });

  program
    .command('lineage')
    .description(
      'Lineage of a table (catalog.namespace.table or a lineage ref such as iceberg:cat.ns.table) or of a pipeline (id or <org>/<name>)',
    )
    .argument('<start>', 'a table or a pipeline')
    .requiredOption('--org <id>', 'the organization')
    .option('--column <name>', "a table's column: its column lineage")
    .option('--depth <n>', 'pipeline hops (1-10)', '3')
    .option('--direction <dir>', 'upstream, downstream or both', 'both')
    .option('--json', 'print JSON')
    .action(
      async (
        start: string,
        options: {
          org: string;
          column?: string;
          depth: string;
          direction: string;
          json?: boolean;
        },
      ) => {
        const client = await ctx.api();
        let dataset: string | undefined;
        let pipelineId: string | undefined;
        if (start.includes(':')) dataset = start;
        else if (/^[^/]+\.[^/]+\.[^/]+$/.test(start))
          dataset = `iceberg:${start}`;
        else pipelineId = await resolvePipelineId(client, start, options.org);
        if (options.column && !dataset) {
          throw new CliError('--column: only with a table', EXIT.USAGE);
        }
        const graph = await client.get<LineageGraph>('/lineage/graph', {
          organization: options.org,
          dataset,
          pipelineId,
          column: options.column,
          depth: options.depth,
          direction: options.direction,
        });
        const names = new Map(
          graph.nodes.map(n => [n.id, `${n.name} (${n.kind})`]),
        );
        ctx.print(options, graph, () => {
          const text = [
            renderTable(
              ['FROM', 'TO'],
              graph.edges.map(e => [
                names.get(e.from) ?? e.from,
                names.get(e.to) ?? e.to,
              ]),
            ),
          ];
          if (graph.columnEdges?.length) {
            text.push(
              '\nColumns:\n',
              renderTable(
                ['FROM', 'TO', 'HOW'],
                graph.columnEdges.map(e => [
                  `${names.get(e.from.node) ?? e.from.node}.${e.from.column}`,
                  `${names.get(e.to.node) ?? e.to.node}.${e.to.column}`,
                  e.kind,
                ]),
              ),
            );
          }
          if (graph.truncated)
            text.push('(truncated: the graph reached its node limit)\n');
          return text.join('');
        });
      },
    );

  program
    .command('costs')
    .description(
      "An organization's costs of a month: the chargeback statement by service and pipeline, or --by team, cost-center, project or service",
    )
    .requiredOption('--org <id>', 'the organization')
    .requiredOption('--month <YYYY-MM>', 'the month')
    .option('--by <dimension>', 'team, cost-center, project or service')
    .option('--csv', 'print CSV')
    .option('--json', 'print JSON')
    .action(
      async (options: {
        org: string;
        month: string;
        by?: string;
        csv?: boolean;
        json?: boolean;
      }) => {
        if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(options.month)) {
          throw new CliError('--month: YYYY-MM', EXIT.USAGE);
        }
        const by = options.by;
        if (by && !['team', 'cost-center', 'project', 'service'].includes(by)) {
          throw new CliError(
            '--by: team, cost-center, project or service',
            EXIT.USAGE,
          );
        }
        const client = await ctx.api();
        const show = (
          head: string[],
          rows: Cell[][],
          value: unknown,
          footer: string,
        ) => {
          if (options.csv) ctx.out(renderCsv(head, rows));
          else
            ctx.print(
              options,
              value,
              () => `${renderTable(head, rows)}${footer}`,
            );
        };
        if (!by) {
          const statement = await client.get<Chargeback>('/costs/chargeback', {
            organization: options.org,
            month: options.month,
          });
          show(
            [
              'SERVICE',
              'PIPELINE',
              'QUANTITY',
              'UNIT',
              `AMOUNT (${statement.currency})`,
            ],
            statement.lines.map(l => [
              l.serviceType,
              l.pipelineName ?? l.pipelineId,
              l.quantity,
              l.unit,
              l.amount.toFixed(2),
            ]),
            statement,
            `Total ${money(statement.total, statement.currency)} (${
              statement.organization
            }, cost center ${statement.costCenter}, ${statement.month})\n`,
          );
        } else if (by === 'team' || by === 'cost-center') {
          const breakdown = await client.get<ChargebackBreakdown>(
            '/costs/chargeback',
            {
              organization: options.org,
              month: options.month,
              by: by === 'team' ? 'team' : 'costCenter',
            },
          );
          show(
            [by.toUpperCase(), 'SERVICE', `AMOUNT (${breakdown.currency})`],
            breakdown.lines.map(l => [
              l.key,
              l.serviceType,
              l.amount.toFixed(2),
            ]),
            breakdown,
            `Total ${money(breakdown.total, breakdown.currency)}\n`,
          );
        } else {
          const series = await client.get<SpendSeries>('/costs/spend', {
            organization: options.org,
            from: `${options.month}-01`,
            to: lastDay(options.month),
            granularity: 'month',
            groupBy: by,
          });
          show(
            [by.toUpperCase(), `AMOUNT (${series.currency})`],
            series.keys.map(k => [k.label, k.amount.toFixed(2)]),
            series,
            `Total ${money(series.total, series.currency)} (${series.from} to ${
              series.to
            })\n`,
          );
        }
      },
    );
}
