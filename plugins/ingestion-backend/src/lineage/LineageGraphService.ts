import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  datasetEntityName,
  deriveColumnLineage,
  formatEntityRef,
  pipelineEntityName,
  pipelineReadPermission,
  tableReadPermission,
  type ColumnTransformationKind,
  type DatasetKind,
  type LineageDataset,
  type PipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Knex } from 'knex';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import { applyAccessFilter, type AccessFilter } from '../database/conditions';
import {
  DatabaseLineageStore,
  type LineageEdge,
} from '../database/LineageStore';
import { datasetRefString } from '../runs/datasetRefs';
import { schemaColumns } from './CatalogExportStore';
import {
  latestRuns,
  tableFreshness,
  type LineageLastRun,
} from './lineageAnnotations';

export type LineageDirection = 'upstream' | 'downstream' | 'both';

export const MAX_LINEAGE_DEPTH = 10;
/** A graph stops growing at this many nodes (and says so). */
const MAX_NODES = 2_000;

export interface LineageGraphQuery {
  organization: string;
  /** The graph starts at a pipeline... */
  pipelineId?: string;
  /** ... or at a dataset, by its lineage ref (`iceberg:finance_catalog.analytics.daily`). */
  dataset?: string;
  direction: LineageDirection;
  /** Pipeline hops away from the start. */
  depth: number;
  /** Include column-level lineage. */
  columns: boolean;
  /** With a dataset start: only the column lineage of this column. */
  column?: string;
}

export interface LineageGraphNode {
  id: string;
  kind: 'pipeline' | DatasetKind;
  name: string;
  pipelineId?: string;
  datasetRef?: string;
  /** The catalog entity of the node. */
  entityRef: string;
  /** Pipeline hops from the start: 0 for the start, 1 for a start pipeline's own datasets and for the pipelines next to a start dataset, and so on. */
  depth: number;
  /** Pipelines: their latest run. */
  lastRun?: LineageLastRun;
  /** Iceberg tables the caller may read: when they were last written. */
  updatedAt?: string;
}

export interface ColumnLineageEdge {
  from: { node: string; column: string };
  to: { node: string; column: string };
  pipelineId: string;
  kind: ColumnTransformationKind;
  transformation?: string;
}

export interface PipelineColumnLineage {
  pipelineId: string;
  target: string;
  /** Datasets whose unnamed columns pass through unchanged (schemas unknown). */
  passthrough: { nodes: string[]; excluded: string[] };
  indirect: Array<{ node: string; column: string; type: string }>;
}

export interface LineageGraphResponse {
  root: string;
  nodes: LineageGraphNode[];
  edges: Array<{ from: string; to: string }>;
  columnEdges?: ColumnLineageEdge[];
  columnLineage?: PipelineColumnLineage[];
  /** The graph reached the node limit: deeper parts are left out. */
  truncated: boolean;
  /**
   * Neighbours the caller may not see, counted per node and direction: the pipelines next to a
   * dataset that the caller may not read. Only a count, never a name or an id.
   */
  hidden: HiddenNeighbours[];
}

export interface HiddenNeighbours {
  /** The visible node the hidden pipelines connect to. */
  node: string;
  direction: 'upstream' | 'downstream';
  count: number;
}

const pipelineNode = (id: string) => `pipeline:${id}`;
const datasetNode = (ref: string) => `dataset:${ref}`;
const lineageRef = (dataset: LineageDataset) => datasetRefString(dataset);

/** A dataset's name from its lineage ref and kind (S3 refs are the URL itself). */
function datasetName(kind: string, ref: string): string {
  return kind === 's3-prefix' ? ref : ref.slice(ref.indexOf(':') + 1);
}

interface ReadablePipeline {
  id: string;
  name: string;
  spec: PipelineSpec;
}

/**
 * Table- and column-level lineage graphs, N pipeline hops up and/or down stream from a pipeline
 * or a dataset, scoped to what the caller may see: pipelines the caller may not read are left
 * out together with everything only they connect, and column lineage uses table schemas only
 * when the caller may read the tables.
 */
export class LineageGraphService {
  private readonly lineage: DatabaseLineageStore;

  constructor(
    private readonly options: {
      knex: Knex;
      authorizer: IngestionAuthorizer;
    },
  ) {
    this.lineage = new DatabaseLineageStore(options.knex);
  }

  private async readablePipelines(
    filter: AccessFilter,
    ids: string[],
  ): Promise<Map<string, ReadablePipeline>> {
    const result = new Map<string, ReadablePipeline>();
    for (let i = 0; i < ids.length; i += 500) {
      const builder = this.options
        .knex('pipelines as p')
        .join('pipeline_versions as v', join =>
          join
            .on('v.pipeline_id', 'p.id')
            .andOn('v.version', 'p.current_version'),
        )
        .whereIn('p.id', ids.slice(i, i + 500))
        .select('p.id', 'p.name', 'v.spec');
      applyAccessFilter(builder, filter, 'p');
      for (const row of (await builder) as Array<{
        id: string;
        name: string;
        spec: string;
      }>) {
        result.set(row.id, {
          id: row.id,
          name: row.name,
          spec: JSON.parse(row.spec),
        });
      }
    }
    return result;
  }

  async graph(
    credentials: BackstageCredentials,
    query: LineageGraphQuery,
  ): Promise<LineageGraphResponse> {
    if ((query.pipelineId === undefined) === (query.dataset === undefined)) {
      throw new InputError('give either pipelineId or dataset');
    }
    if (
      !Number.isInteger(query.depth) ||
      query.depth < 1 ||
      query.depth > MAX_LINEAGE_DEPTH
    ) {
      throw new InputError(`depth: an integer from 1 to ${MAX_LINEAGE_DEPTH}`);
    }
    if (query.column !== undefined && query.dataset === undefined) {
      throw new InputError('column: only with a dataset start');
    }
    const { authorizer } = this.options;
    // Non-members get a 404 for the organization, as everywhere else.
    await authorizer.authorizeOrganization(
      credentials,
      pipelineReadPermission,
      query.organization,
    );
    const org = query.organization;
    const filter = await authorizer.accessFilter(
      credentials,
      pipelineReadPermission,
      org,
    );

    const pipelines = new Map<string, ReadablePipeline>();
    const nodes = new Map<string, LineageGraphNode>();
    const edges = new Map<string, { from: string; to: string }>();
    const datasetKinds = new Map<string, string>();
    /** `node|direction` → the unreadable pipelines next to that node. */
    const hidden = new Map<string, Set<string>>();
    let truncated = false;

    const addPipeline = (pipeline: ReadablePipeline, depth: number) => {
      pipelines.set(pipeline.id, pipeline);
      const id = pipelineNode(pipeline.id);
      const existing = nodes.get(id);
      if (!existing || existing.depth > depth) {
        nodes.set(id, {
          id,
          kind: 'pipeline',
          name: pipeline.name,
          pipelineId: pipeline.id,
          entityRef: formatEntityRef(pipelineEntityName(org, pipeline.name)),
          depth,
        });
      }
    };
    const addDataset = (kind: string, ref: string, depth: number) => {
      datasetKinds.set(ref, kind);
      const id = datasetNode(ref);
      const existing = nodes.get(id);
      if (!existing || existing.depth > depth) {
        const name = datasetName(kind, ref);
        nodes.set(id, {
          id,
          kind: kind as DatasetKind,
          name,
          datasetRef: ref,
          entityRef: formatEntityRef(datasetEntityName(org, { kind, name })),
          depth,
        });
      }
    };
    const addEdge = (edge: LineageEdge) => {
      const link =
        edge.direction === 'input'
          ? {
              from: datasetNode(edge.datasetRef),
              to: pipelineNode(edge.pipelineId),
            }
          : {
              from: pipelineNode(edge.pipelineId),
              to: datasetNode(edge.datasetRef),
            };
      edges.set(`${link.from}→${link.to}`, link);
    };

    let root: string;
    let startPipelines: string[] = [];
    let startDatasets: string[] = [];
    if (query.pipelineId) {
      const found = await this.readablePipelines(filter, [query.pipelineId]);
      const pipeline = found.get(query.pipelineId);
      if (!pipeline) {
        throw new NotFoundError(`Pipeline '${query.pipelineId}' not found`);
      }
      addPipeline(pipeline, 0);
      root = pipelineNode(pipeline.id);
      startPipelines = [pipeline.id];
    } else {
      root = datasetNode(query.dataset!);
      startDatasets = [query.dataset!];
    }

    const walk = async (direction: 'upstream' | 'downstream') => {
      // Upstream: datasets ← pipelines writing them ← their inputs; downstream the other way.
      const towardsPipeline = direction === 'upstream' ? 'output' : 'input';
      const awayFromPipeline = direction === 'upstream' ? 'input' : 'output';
      const seenPipelines = new Set(startPipelines);
      const seenDatasets = new Set(startDatasets);
      let pipelineFrontier = [...startPipelines];
      let datasetFrontier = [...startDatasets];
      let hops = startPipelines.length > 0 ? 1 : 0;
      for (;;) {
        if (datasetFrontier.length > 0 && hops < query.depth) {
          const candidates = (
            await this.lineage.forDatasets(org, datasetFrontier)
          ).filter(e => e.direction === towardsPipeline);
          const readable = await this.readablePipelines(filter, [
            ...new Set(
              candidates
                .map(e => e.pipelineId)
                .filter(id => !seenPipelines.has(id)),
            ),
          ]);
          hops++;
          for (const edge of candidates) {
            const pipeline =
              readable.get(edge.pipelineId) ?? pipelines.get(edge.pipelineId);
            if (!pipeline) {
              const key = `${datasetNode(edge.datasetRef)}|${direction}`;
              hidden.set(
                key,
                (hidden.get(key) ?? new Set()).add(edge.pipelineId),
              );
              continue;
            }
            addPipeline(pipeline, hops);
            addEdge(edge);
          }
          pipelineFrontier = [...readable.keys()];
          pipelineFrontier.forEach(id => seenPipelines.add(id));
          datasetFrontier = [];
        }
        if (pipelineFrontier.length === 0) break;
        if (nodes.size > MAX_NODES) {
          truncated = true;
          break;
        }
        const outgoing = (
          await this.lineage.forPipelines(org, pipelineFrontier)
        ).filter(e => e.direction === awayFromPipeline);
        const next: string[] = [];
        for (const edge of outgoing) {
          addDataset(edge.datasetKind, edge.datasetRef, hops);
          addEdge(edge);
          if (!seenDatasets.has(edge.datasetRef)) {
            seenDatasets.add(edge.datasetRef);
            next.push(edge.datasetRef);
          }
        }
        pipelineFrontier = [];
        datasetFrontier = next;
        if (datasetFrontier.length === 0) break;
      }
    };

    if (query.pipelineId) {
      // A pipeline's own inputs and outputs belong to its graph whatever the direction.
      for (const edge of await this.lineage.forPipelines(org, startPipelines)) {
        addDataset(edge.datasetKind, edge.datasetRef, 1);
        addEdge(edge);
      }
    }
    if (query.direction !== 'downstream') await walk('upstream');
    if (query.direction !== 'upstream') await walk('downstream');

    if (query.dataset) {
      const ref = query.dataset;
      let kind = datasetKinds.get(ref);
      if (!kind) {
        const touching = await this.lineage.forDatasets(org, [ref]);
        const readable = await this.readablePipelines(filter, [
          ...new Set(touching.map(e => e.pipelineId)),
        ]);
        kind = touching.find(e => readable.has(e.pipelineId))?.datasetKind;
      }
      if (!kind) {
        // Nothing the caller may read touches it: as good as not there.
        throw new NotFoundError(`Dataset '${ref}' not found`);
      }
      addDataset(kind, ref, 0);
    }

    const [runs, freshness] = await Promise.all([
      latestRuns(this.options.knex, org, [...pipelines.keys()]),
      tableFreshness(
        this.options.knex,
        await authorizer.accessFilter(credentials, tableReadPermission, org),
        [...datasetKinds.keys()],
      ),
    ]);
    for (const node of nodes.values()) {
      const lastRun = node.pipelineId ? runs.get(node.pipelineId) : undefined;
      if (lastRun) node.lastRun = lastRun;
      const updatedAt = node.datasetRef
        ? freshness.get(node.datasetRef)
        : undefined;
      if (updatedAt) node.updatedAt = updatedAt;
    }

    const response: LineageGraphResponse = {
      root,
      nodes: [...nodes.values()].sort(
        (a, b) => a.depth - b.depth || a.id.localeCompare(b.id),
      ),
      edges: [...edges.values()],
      truncated,
      hidden: [...hidden.entries()]
        .map(([key, ids]) => {
          const at = key.lastIndexOf('|');
          return {
            node: key.slice(0, at),
            direction: key.slice(at + 1) as HiddenNeighbours['direction'],
            count: ids.size,
          };
        })
        .sort(
          (a, b) =>
            a.node.localeCompare(b.node) ||
            a.direction.localeCompare(b.direction),
        ),
    };
    if (query.columns) {
      Object.assign(
        response,
        await this.columnLineage(credentials, org, pipelines, nodes, query),
      );
    }
    return response;
  }

  /** Column schemas of the graph's Iceberg tables the caller may read, by lineage ref. */
  private async schemas(
    credentials: BackstageCredentials,
    org: string,
    refs: string[],
  ): Promise<Map<string, string[]>> {
    const identifiers = refs
      .filter(ref => ref.startsWith('iceberg:'))
      .map(ref => ref.slice('iceberg:'.length).split('.'))
      .filter(parts => parts.length === 3);
    const result = new Map<string, string[]>();
    if (identifiers.length === 0) return result;
    const filter = await this.options.authorizer.accessFilter(
      credentials,
      tableReadPermission,
      org,
    );
    for (let i = 0; i < identifiers.length; i += 200) {
      const builder = this.options
        .knex('data_tables as t')
        .where('t.format', 'iceberg')
        .whereIn(
          ['t.catalog_name', 't.namespace', 't.table_name'],
          identifiers.slice(i, i + 200),
        )
        .select('t.catalog_name', 't.namespace', 't.table_name', 't.schema')
        .orderBy('t.updated_at');
      applyAccessFilter(builder, filter, 't');
      for (const row of (await builder) as Array<{
        catalog_name: string;
        namespace: string;
        table_name: string;
        schema: string | null;
      }>) {
        const columns = schemaColumns(row.schema ? JSON.parse(row.schema) : []);
        if (columns.length > 0) {
          result.set(
            `iceberg:${row.catalog_name}.${row.namespace}.${row.table_name}`,
            columns.map(c => c.name),
          );
        }
      }
    }
    return result;
  }

  private async columnLineage(
    credentials: BackstageCredentials,
    org: string,
    pipelines: Map<string, ReadablePipeline>,
    nodes: Map<string, LineageGraphNode>,
    query: LineageGraphQuery,
  ): Promise<Pick<LineageGraphResponse, 'columnEdges' | 'columnLineage'>> {
    const datasetRefs = [...nodes.values()]
      .map(n => n.datasetRef)
      .filter((ref): ref is string => ref !== undefined);
    const schemas = await this.schemas(credentials, org, datasetRefs);
    let columnEdges: ColumnLineageEdge[] = [];
    const columnLineage: PipelineColumnLineage[] = [];
    for (const pipeline of [...pipelines.values()].sort((a, b) =>
      a.id.localeCompare(b.id),
    )) {
      let lineage;
      try {
        lineage = deriveColumnLineage(pipeline.spec, {
          columnsOf: dataset => schemas.get(lineageRef(dataset)),
        });
        const targetColumns = schemas.get(lineageRef(lineage.target));
        if (targetColumns) {
          lineage = deriveColumnLineage(pipeline.spec, {
            columnsOf: dataset => schemas.get(lineageRef(dataset)),
            targetColumns,
          });
        }
      } catch {
        continue; // a spec this release cannot read has no column lineage
      }
      const target = datasetNode(lineageRef(lineage.target));
      if (!nodes.has(target)) continue;
      for (const entry of lineage.columns) {
        for (const input of entry.inputs) {
          columnEdges.push({
            from: {
              node: datasetNode(lineageRef(input.dataset)),
              column: input.column,
            },
            to: { node: target, column: entry.column },
            pipelineId: pipeline.id,
            kind: entry.kind,
            ...(entry.transformation
              ? { transformation: entry.transformation }
              : {}),
          });
        }
      }
      columnLineage.push({
        pipelineId: pipeline.id,
        target,
        passthrough: {
          nodes: lineage.passthrough.datasets.map(d =>
            datasetNode(lineageRef(d)),
          ),
          excluded: lineage.passthrough.excluded,
        },
        indirect: lineage.indirect.map(i => ({
          node: datasetNode(lineageRef(i.dataset)),
          column: i.column,
          type: i.type,
        })),
      });
    }
    if (query.column !== undefined && query.dataset !== undefined) {
      columnEdges = traceColumn(
        columnEdges,
        { node: datasetNode(query.dataset), column: query.column },
        query.direction,
      );
    }
    return { columnEdges, columnLineage };
  }
}

/** The column edges connected to one column, following the direction(s) asked for. */
function traceColumn(
  edges: ColumnLineageEdge[],
  start: { node: string; column: string },
  direction: LineageDirection,
): ColumnLineageEdge[] {
  const key = (c: { node: string; column: string }) =>
    `${c.node}\u0000${c.column}`;
  const kept = new Set<ColumnLineageEdge>();
  const follow = (upstream: boolean) => {
    const queue = [key(start)];
    const seen = new Set(queue);
    while (queue.length > 0) {
      const current = queue.shift()!;
      for (const edge of edges) {
        const [near, far] = upstream
          ? [edge.to, edge.from]
          : [edge.from, edge.to];
        if (key(near) !== current) continue;
        kept.add(edge);
        if (!seen.has(key(far))) {
          seen.add(key(far));
          queue.push(key(far));
        }
      }
    }
  };
  if (direction !== 'downstream') follow(true);
  if (direction !== 'upstream') follow(false);
  return edges.filter(e => kept.has(e));
}
