import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import {
  ANNOTATION_ORGANIZATION,
  ANNOTATION_PIPELINE_ID,
  ANNOTATION_TABLE_ID,
  ANNOTATION_TABLE_IDENTIFIER,
  INGESTION_PROVIDER_LOCATION_TYPE,
  dataPlatformSystemName,
  datasetEntityName,
  formatEntityRef,
  pipelineEntityName,
  type CatalogColumn,
  type CatalogOrganization,
  type CatalogPipeline,
  type CatalogTable,
  type DatasetRef,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/** Annotations this module sets besides the shared ones of `ingestion-common`. */
export const ANNOTATION_PIPELINE_VERSION =
  'ingestion.backstage.io/pipeline-version';
export const ANNOTATION_METADATA_LOCATION =
  'ingestion.backstage.io/metadata-location';
export const ANNOTATION_DATASET_KIND = 'ingestion.backstage.io/dataset-kind';
export const ANNOTATION_DATASET_NAME = 'ingestion.backstage.io/dataset-name';
export const ANNOTATION_CONNECTION = 'ingestion.backstage.io/connection';
export const ANNOTATION_DISCOVERED_IN = 'ingestion.backstage.io/discovered-in';
export const LABEL_CLASSIFICATION = 'ingestion.backstage.io/classification';
export const LABEL_ENVIRONMENT = 'ingestion.backstage.io/environment';

/** The location key (and managed-by location) of one organization's entities. */
export const locationKeyOf = (organizationId: string) =>
  `${INGESTION_PROVIDER_LOCATION_TYPE}:${organizationId}`;

/** Options that are the same for every entity. */
export interface EntityContext {
  /** The portal's base URL, for links to pipeline pages. */
  portalBaseUrl?: string;
}

/** A pipeline as the provider keeps it: the export's record without its spec, plus datasets. */
export interface PipelineInfo {
  record: Omit<CatalogPipeline, 'spec'>;
  sources: DatasetRef[];
  target?: DatasetRef;
  /** The spec could not be read (a newer version, say): no datasets then. */
  specProblem?: string;
}

const TAG_MAX = 63;

/** A catalog tag (`[a-z0-9:+#]` words joined by `-`) for a text, or undefined if none is left. */
export function toTag(text: string): string | undefined {
  const tag = text
    .toLocaleLowerCase('en-US')
    .replace(/[^a-z0-9:+#]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, TAG_MAX)
    .replace(/-+$/, '');
  return tag || undefined;
}

/**
 * Memoises a string function of few distinct inputs (tags, owners, labels), which a full refresh
 * otherwise computes with regular expressions once per entity; bounded, so odd inputs cannot grow it.
 */
function memo<T>(fn: (text: string) => T, max = 10_000): (text: string) => T {
  const cache = new Map<string, T>();
  return text => {
    if (cache.has(text)) return cache.get(text)!;
    const value = fn(text);
    if (cache.size >= max) cache.clear();
    cache.set(text, value);
    return value;
  };
}

const cachedTag = memo(toTag);

function tags(...candidates: Array<string | undefined>): string[] {
  const result: string[] = [];
  for (const candidate of candidates) {
    const tag = candidate && cachedTag(candidate);
    if (tag && !result.includes(tag)) result.push(tag);
  }
  return result;
}

/** Label values: up to 63 of `[A-Za-z0-9-_.]`, alphanumeric at both ends. */
function labelValue(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const value = text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return value || undefined;
}

const memoLabel = memo(labelValue);
const cachedLabel = (text: string | undefined) =>
  text ? memoLabel(text) : undefined;

const parsedOwner = memo((owner: string): string | undefined => {
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    );
  } catch {
    return undefined; // not a ref
  }
});

/** A full entity ref for an owner (`group:default/x` for a bare `x`), or the fallback. */
export function ownerRef(owner: string | undefined, fallback: string): string {
  return (owner && parsedOwner(owner)) || fallback;
}

const LIFECYCLES: Record<CatalogOrganization['environment'], string> = {
  production: 'production',
  staging: 'staging',
  development: 'experimental',
};

function envelope(
  kind: 'System' | 'Component' | 'Resource',
  name: { namespace: string; name: string },
  organization: CatalogOrganization,
  metadata: {
    title?: string;
    description?: string;
    annotations?: Record<string, string | undefined>;
    labels?: Record<string, string | undefined>;
    tags?: string[];
    links?: Array<{ url: string; title: string; icon?: string }>;
    columns?: CatalogColumn[];
  },
  spec: Record<string, unknown>,
): Entity {
  const location = locationKeyOf(organization.id);
  // Plain loops and conditional assignment: this runs for every entity of a full refresh.
  const annotations: Record<string, string> = {
    [ANNOTATION_LOCATION]: location,
    [ANNOTATION_ORIGIN_LOCATION]: location,
    [ANNOTATION_ORGANIZATION]: organization.id,
  };
  for (const key in metadata.annotations) {
    if (metadata.annotations[key] !== undefined) {
      annotations[key] = metadata.annotations[key]!;
    }
  }
  const labels: Record<string, string> = {};
  const environment = cachedLabel(organization.environment);
  if (environment !== undefined) labels[LABEL_ENVIRONMENT] = environment;
  for (const key in metadata.labels) {
    if (metadata.labels[key] !== undefined) labels[key] = metadata.labels[key]!;
  }
  const entityMetadata: Record<string, unknown> = {
    name: name.name,
    namespace: name.namespace,
  };
  if (metadata.title) entityMetadata.title = metadata.title;
  if (metadata.description) entityMetadata.description = metadata.description;
  entityMetadata.annotations = annotations;
  entityMetadata.labels = labels;
  entityMetadata.tags = metadata.tags ?? [];
  if (metadata.links?.length) entityMetadata.links = metadata.links;
  if (metadata.columns) entityMetadata.columns = metadata.columns;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: entityMetadata,
    spec,
  } as unknown as Entity;
}

export function systemEntity(organization: CatalogOrganization): Entity {
  return envelope(
    'System',
    dataPlatformSystemName(organization.id),
    organization,
    {
      title: `${organization.name} data platform`,
      description: `Pipelines, Iceberg tables and source datasets of ${organization.name} (cost center ${organization.costCenter}, ${organization.environment}).`,
      labels: {
        'ingestion.backstage.io/cost-center': labelValue(
          organization.costCenter,
        ),
      },
      tags: tags('data-platform', organization.environment),
    },
    { owner: ownerRef(organization.ownerGroup, 'group:default/unknown') },
  );
}

const systemRef = memo((organizationId: string) =>
  formatEntityRef(dataPlatformSystemName(organizationId)),
);

export const pipelineRef = (organizationId: string, name: string) =>
  formatEntityRef(pipelineEntityName(organizationId, name));

export const datasetRef = (
  organizationId: string,
  dataset: { kind: string; name: string },
) => formatEntityRef(datasetEntityName(organizationId, dataset));

const SOURCE_TAGS: Record<string, string> = {
  'mysql-table': 'mysql',
  'mariadb-table': 'mariadb',
  'postgres-table': 'postgres',
  'kafka-topic': 'kafka',
  'http-api': 'http',
  'iceberg-table': 'iceberg',
  'delta-table': 'delta',
  'file-path': 'files',
  's3-prefix': 's3',
};

export function pipelineEntity(
  pipeline: PipelineInfo,
  organization: CatalogOrganization,
  context: EntityContext,
): Entity {
  const { record } = pipeline;
  const links: Array<{ url: string; title: string; icon?: string }> = [];
  if (context.portalBaseUrl) {
    links.push({
      url: `${context.portalBaseUrl.replace(/\/+$/, '')}/ingestion/pipelines/${
        record.id
      }`,
      title: 'Pipeline in the ingestion portal',
      icon: 'dashboard',
    });
  }
  if (record.databricksJobId && organization.databricksHost) {
    links.push({
      url: `${organization.databricksHost.replace(/\/+$/, '')}/jobs/${
        record.databricksJobId
      }`,
      title: 'Databricks job',
    });
  }
  const flow = [
    pipeline.sources.map(s => `${s.kind} ${s.name}`).join(', '),
    pipeline.target && `${pipeline.target.kind} ${pipeline.target.name}`,
  ]
    .filter(Boolean)
    .join(' → ');
  return envelope(
    'Component',
    pipelineEntityName(record.organization, record.name),
    organization,
    {
      title: record.name,
      description:
        record.description ??
        `${
          record.pipelineType === 'streaming' ? 'Streaming' : 'Batch'
        } pipeline${flow ? `: ${flow}` : ''}${
          pipeline.specProblem ? ` (${pipeline.specProblem})` : ''
        }`,
      annotations: {
        [ANNOTATION_PIPELINE_ID]: record.id,
        [ANNOTATION_PIPELINE_VERSION]: String(record.currentVersion),
        'ingestion.backstage.io/engine': record.engine,
        'ingestion.backstage.io/schedule': record.schedule,
        'ingestion.backstage.io/databricks-job-id': record.databricksJobId,
      },
      tags: tags(
        'data-pipeline',
        record.pipelineType,
        ...pipeline.sources.map(s => SOURCE_TAGS[s.kind]),
        pipeline.target && SOURCE_TAGS[pipeline.target.kind],
      ),
      links,
    },
    {
      type: 'data-pipeline',
      lifecycle: LIFECYCLES[organization.environment] ?? 'experimental',
      owner: ownerRef(record.owner, ownerRef(organization.ownerGroup, '')),
      system: systemRef(record.organization),
      dependsOn: [
        ...new Set(
          pipeline.sources.map(s => datasetRef(record.organization, s)),
        ),
      ],
    },
  );
}

/** What the provider knows about one dataset when building its entity. */
export interface DatasetFacts {
  kind: string;
  name: string;
  /** The pipelines writing it (their entity refs), sorted. */
  writers: string[];
  /** A dataset a pipeline reads: its connection and location, from the spec. */
  described?: DatasetRef;
  /** The table record, for tables the engines wrote or the Iceberg catalogs hold. */
  table?: CatalogTable;
}

export function datasetEntity(
  facts: DatasetFacts,
  organization: CatalogOrganization,
): Entity {
  const { table } = facts;
  const fallbackOwner = ownerRef(organization.ownerGroup, '');
  const pii = table?.piiColumns ?? [];
  const piiKinds = [
    ...new Set((table?.columns ?? []).flatMap(c => c.pii ?? [])),
  ].sort();
  const isTable = facts.kind === 'iceberg-table' || Boolean(table);
  const written =
    facts.writers.length > 0 ? ` written by ${facts.writers.join(', ')}` : '';
  return envelope(
    'Resource',
    datasetEntityName(organization.id, facts),
    organization,
    {
      title: facts.name,
      description: isTable
        ? `${facts.kind === 'iceberg-table' ? 'Iceberg table' : 'Table'} ${
            facts.name
          }${written}${
            pii.length > 0
              ? `. Columns with personal data: ${pii.join(', ')}`
              : ''
          }.`
        : `${facts.kind} ${facts.name}, read by ingestion pipelines.`,
      annotations: {
        [ANNOTATION_DATASET_KIND]: facts.kind,
        [ANNOTATION_DATASET_NAME]: facts.name,
        [ANNOTATION_TABLE_IDENTIFIER]:
          facts.kind === 'iceberg-table' ? facts.name : table?.identifier,
        [ANNOTATION_TABLE_ID]: table?.id,
        [ANNOTATION_METADATA_LOCATION]: table?.metadataLocation,
        [ANNOTATION_DISCOVERED_IN]: table?.discoveredIn,
        [ANNOTATION_CONNECTION]: facts.described?.connection,
        'ingestion.backstage.io/location':
          table?.location ?? facts.described?.location,
        'ingestion.backstage.io/pii-columns':
          pii.length > 0 ? pii.join(',') : undefined,
      },
      labels: {
        [LABEL_CLASSIFICATION]: cachedLabel(table?.classification),
      },
      tags: tags(
        SOURCE_TAGS[facts.kind],
        table?.classification,
        pii.length > 0 ? 'pii' : undefined,
        ...piiKinds.map(kind => `pii-${kind}`),
      ),
      columns: table ? table.columns : undefined,
    },
    {
      type: facts.kind,
      owner: table ? ownerRef(table.owner, fallbackOwner) : fallbackOwner,
      system: systemRef(organization.id),
      ...(facts.writers.length > 0 ? { dependsOn: facts.writers } : {}),
    },
  );
}
