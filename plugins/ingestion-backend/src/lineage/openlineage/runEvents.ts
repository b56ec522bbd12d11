import {
  deriveColumnLineage,
  getSourceDatasets,
  getTargetDataset,
  type ColumnTransformationKind,
  type DatasetRef,
  type IndirectColumnInput,
  type LineageDataset,
  type PipelineSpec,
  type RunStatus,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { datasetRefString } from '../../runs/datasetRefs';

/*
 * OpenLineage RunEvents (spec 2-0-2) for ingestion runs: START when the run starts, then
 * COMPLETE, FAIL or ABORT, with the schema, column lineage, data quality and output statistics
 * facets. See https://openlineage.io/docs/spec/object-model.
 */

export const OPENLINEAGE_SCHEMA_URL =
  'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
const FACETS = 'https://openlineage.io/spec/facets';
const facetUrls = {
  schema: `${FACETS}/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet`,
  columnLineage: `${FACETS}/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet`,
  dataQualityAssertions: `${FACETS}/1-0-1/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet`,
  outputStatistics: `${FACETS}/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet`,
  errorMessage: `${FACETS}/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet`,
  jobType: `${FACETS}/2-0-3/JobTypeJobFacet.json#/$defs/JobTypeJobFacet`,
  processingEngine: `${FACETS}/1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet`,
};

export type RunEventType = 'START' | 'RUNNING' | 'COMPLETE' | 'FAIL' | 'ABORT';

type Facet = { _producer: string; _schemaURL: string } & Record<
  string,
  unknown
>;

export interface OpenLineageDataset {
  namespace: string;
  name: string;
  facets?: Record<string, Facet>;
  inputFacets?: Record<string, Facet>;
  outputFacets?: Record<string, Facet>;
}

export interface RunEvent {
  eventType: RunEventType;
  eventTime: string;
  producer: string;
  schemaURL: string;
  run: { runId: string; facets?: Record<string, Facet> };
  job: { namespace: string; name: string; facets?: Record<string, Facet> };
  inputs: OpenLineageDataset[];
  outputs: OpenLineageDataset[];
}

/** One run as the events describe it. */
export interface RunEventSource {
  producer: string;
  /** The job namespace: `ingestion.<organization>` unless configured otherwise. */
  jobNamespace: string;
  icebergCatalogNamespace?: (catalog: string) => string;
  pipeline: { id: string; name: string };
  spec: PipelineSpec;
  run: {
    id: string;
    status: RunStatus;
    engine: string;
    queuedAt: string;
    submittedAt?: string;
    startedAt?: string;
    finishedAt?: string;
    rowsWritten?: number;
    bytesWritten?: number;
    errorMessage?: string;
  };
  quality?: Array<{
    ruleType: string;
    columns: string[];
    passed: boolean;
    severity?: string;
  }>;
  /** Known column names and types per lineage dataset ref (`iceberg:cat.ns.table`). */
  schemas?: Map<string, Array<{ name: string; type: string }>>;
}

const refOf = (dataset: LineageDataset) => datasetRefString(dataset);

/** OpenLineage dataset naming (https://openlineage.io/docs/spec/naming) for a spec dataset. */
export function openLineageName(
  dataset: Pick<DatasetRef, 'kind' | 'name' | 'location'>,
  icebergNamespace: (catalog: string) => string = c => `iceberg://${c}`,
): { namespace: string; name: string } {
  switch (dataset.kind) {
    case 'mysql-table':
    case 'mariadb-table':
    case 'postgres-table': {
      // `connection/[schema.]table`: the connection stands for the server.
      const [connection, table] = dataset.name.split('/');
      const scheme = dataset.kind.slice(0, -'-table'.length);
      return { namespace: `${scheme}://${connection}`, name: table };
    }
    case 'kafka-topic':
      return {
        namespace: `kafka://${(dataset.location ?? 'kafka').split(',')[0]}`,
        name: dataset.name,
      };
    case 'iceberg-table': {
      const [catalog, ...rest] = dataset.name.split('.');
      return { namespace: icebergNamespace(catalog), name: rest.join('.') };
    }
    case 'http-api': {
      try {
        const url = new URL(dataset.name);
        return {
          namespace: `${url.protocol}//${url.host}`,
          name: url.pathname + url.search,
        };
      } catch {
        return { namespace: 'http', name: dataset.name };
      }
    }
    default: {
      const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(dataset.name);
      if (match)
        return { namespace: `s3://${match[1]}`, name: match[2] || '/' };
      return { namespace: 'file', name: dataset.name };
    }
  }
}

const SUBTYPES: Record<ColumnTransformationKind, string> = {
  identity: 'IDENTITY',
  derived: 'TRANSFORMATION',
  aggregated: 'AGGREGATION',
  masked: 'TRANSFORMATION',
};
const INDIRECT: Record<IndirectColumnInput['type'], string> = {
  filter: 'FILTER',
  join: 'JOIN',
  group_by: 'GROUP_BY',
  window: 'WINDOW',
  sort: 'SORT',
};

const EVENT_OF: Partial<Record<RunStatus, RunEventType>> = {
  succeeded: 'COMPLETE',
  failed: 'FAIL',
  quality_failed: 'FAIL',
  cancelled: 'ABORT',
};

/**
 * The events of one run so far: none while queued, START once submitted, then the final event.
 * Inputs are the source and joined datasets; the output is the target with its schema, column
 * lineage, quality assertions and statistics.
 */
export function buildRunEvents(source: RunEventSource): RunEvent[] {
  const { run, spec, producer } = source;
  const started = run.startedAt ?? run.submittedAt;
  if (!started && !run.finishedAt) return [];
  const facet = (schemaURL: string, body: Record<string, unknown>): Facet => ({
    _producer: producer,
    _schemaURL: schemaURL,
    ...body,
  });
  const name = (dataset: LineageDataset | DatasetRef) =>
    openLineageName(dataset as DatasetRef, source.icebergCatalogNamespace);
  const schemaFacet = (dataset: LineageDataset) => {
    const fields = source.schemas?.get(refOf(dataset));
    return fields?.length
      ? { schema: facet(facetUrls.schema, { fields }) }
      : undefined;
  };

  const sources = getSourceDatasets(spec);
  const target = getTargetDataset(spec);
  const columnsOf = (dataset: LineageDataset) =>
    source.schemas?.get(refOf(dataset))?.map(f => f.name);
  const lineage = deriveColumnLineage(spec, {
    columnsOf,
    targetColumns: columnsOf(target),
  });

  const inputs: OpenLineageDataset[] = sources.map(dataset => {
    const facets = schemaFacet(dataset);
    return { ...name(dataset), ...(facets ? { facets } : {}) };
  });
  const outputFacets: Record<string, Facet> = {
    ...schemaFacet(target),
    columnLineage: facet(facetUrls.columnLineage, {
      fields: Object.fromEntries(
        lineage.columns.map(column => [
          column.column,
          {
            inputFields: column.inputs.map(input => ({
              ...name(input.dataset),
              field: input.column,
              transformations: [
                {
                  type: 'DIRECT',
                  subtype: SUBTYPES[column.kind],
                  ...(column.transformation
                    ? { description: column.transformation }
                    : {}),
                  masking: column.kind === 'masked',
                },
              ],
            })),
          },
        ]),
      ),
      dataset: lineage.indirect.map(input => ({
        ...name(input.dataset),
        field: input.column,
        transformations: [
          { type: 'INDIRECT', subtype: INDIRECT[input.type], masking: false },
        ],
      })),
    }),
  };
  if (source.quality?.length) {
    outputFacets.dataQualityAssertions = facet(
      facetUrls.dataQualityAssertions,
      {
        assertions: source.quality.flatMap(rule =>
          (rule.columns.length > 0 ? rule.columns : [undefined]).map(
            column => ({
              assertion: rule.ruleType,
              success: rule.passed,
              ...(column ? { column } : {}),
              ...(rule.severity ? { severity: rule.severity } : {}),
            }),
          ),
        ),
      },
    );
  }
  const output: OpenLineageDataset = { ...name(target), facets: outputFacets };
  if (run.status === 'succeeded' && run.rowsWritten !== undefined) {
    output.outputFacets = {
      outputStatistics: facet(facetUrls.outputStatistics, {
        rowCount: run.rowsWritten,
        ...(run.bytesWritten !== undefined ? { size: run.bytesWritten } : {}),
      }),
    };
  }

  const job = {
    namespace: source.jobNamespace,
    name: source.pipeline.name,
    facets: {
      jobType: facet(facetUrls.jobType, {
        processingType:
          spec.pipeline_type === 'streaming' ? 'STREAMING' : 'BATCH',
        integration: 'INGESTION_FOR_BACKSTAGE',
        jobType: 'PIPELINE',
      }),
    },
  };
  const base = (eventType: RunEventType, eventTime: string): RunEvent => ({
    eventType,
    eventTime,
    producer,
    schemaURL: OPENLINEAGE_SCHEMA_URL,
    run: {
      runId: run.id,
      facets: {
        processing_engine: facet(facetUrls.processingEngine, {
          version: '1',
          name: run.engine,
        }),
      },
    },
    job,
    inputs,
    outputs: [output],
  });

  const events: RunEvent[] = [];
  events.push(base('START', started ?? run.queuedAt));
  const final = EVENT_OF[run.status];
  if (final && run.finishedAt) {
    const event = base(final, run.finishedAt);
    if (final === 'FAIL' && run.errorMessage) {
      event.run.facets!.errorMessage = facet(facetUrls.errorMessage, {
        message: run.errorMessage,
        programmingLanguage: 'SQL',
      });
    }
    events.push(event);
  }
  return events;
}
