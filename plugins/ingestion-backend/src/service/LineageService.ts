import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { LineageGraph } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { LineageEdge, LineageStore } from '../database/LineageStore';
import type { PipelinesService } from './PipelinesService';

const pipelineNode = (id: string) => `pipeline:${id}`;
const datasetNode = (ref: string) => `dataset:${ref}`;

/**
 * Table-level lineage: datasets → pipeline → datasets, walked `depth` hops up and down stream from
 * a pipeline. Pipelines the caller may not read are left out, with the datasets only they connect.
 */
export class LineageService {
  constructor(
    private readonly options: {
      lineage: LineageStore;
      pipelines: PipelinesService;
    },
  ) {}

  async graph(
    credentials: BackstageCredentials,
    query: { organization: string; pipelineId: string; depth: number },
  ): Promise<LineageGraph> {
    const root = await this.options.pipelines.get(
      credentials,
      query.pipelineId,
    );
    const org = root.organization;
    const readable = new Map<string, string>([[root.id, root.name]]);
    const edges: LineageEdge[] = [];
    const seenPipelines = new Set([root.id]);
    const seenDatasets = new Set<string>();
    let frontier = [root.id];

    for (let hop = 0; hop < query.depth && frontier.length > 0; hop++) {
      const pipelineEdges = await this.options.lineage.forPipelines(
        org,
        frontier,
      );
      edges.push(...pipelineEdges);
      const datasets = [
        ...new Set(pipelineEdges.map(e => e.datasetRef)),
      ].filter(ref => !seenDatasets.has(ref));
      datasets.forEach(ref => seenDatasets.add(ref));
      const datasetEdges = await this.options.lineage.forDatasets(
        org,
        datasets,
      );
      const next: string[] = [];
      for (const edge of datasetEdges) {
        if (seenPipelines.has(edge.pipelineId)) continue;
        seenPipelines.add(edge.pipelineId);
        const name = await this.readableName(credentials, edge.pipelineId);
        if (name) {
          readable.set(edge.pipelineId, name);
          next.push(edge.pipelineId);
        }
      }
      frontier = next;
    }

    const nodes = new Map<string, LineageGraph['nodes'][number]>();
    const graphEdges = new Map<string, { from: string; to: string }>();
    for (const edge of edges) {
      const pipelineName = readable.get(edge.pipelineId);
      if (!pipelineName) continue;
      nodes.set(pipelineNode(edge.pipelineId), {
        id: pipelineNode(edge.pipelineId),
        kind: 'pipeline',
        name: pipelineName,
        pipelineId: edge.pipelineId,
      });
      nodes.set(datasetNode(edge.datasetRef), {
        id: datasetNode(edge.datasetRef),
        kind: edge.datasetKind,
        name: edge.datasetRef,
      });
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
      graphEdges.set(`${link.from}→${link.to}`, link);
    }
    return { nodes: [...nodes.values()], edges: [...graphEdges.values()] };
  }

  private async readableName(
    credentials: BackstageCredentials,
    pipelineId: string,
  ): Promise<string | undefined> {
    try {
      return (await this.options.pipelines.get(credentials, pipelineId)).name;
    } catch {
      return undefined;
    }
  }
}
