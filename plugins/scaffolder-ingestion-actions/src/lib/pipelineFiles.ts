import { InputError } from '@backstage/errors';
import {
  ANNOTATION_ORGANIZATION,
  ANNOTATION_PIPELINE_ID,
  dataPlatformSystemName,
  formatEntityRef,
  getSourceDatasets,
  pipelineEntityName,
  getTargetDataset,
  type CostEstimate,
  type PipelineSpec,
  type QualityRuleSpec,
  type TransformSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  generateDatabricksArtifacts,
  pipelineSlug,
  secretScopeName,
  type WorkloadType,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import { stringify } from 'yaml';
import { renderCiFiles } from './ciFiles';
import {
  toCodegenOrganization,
  type OrganizationSettings,
} from './organizationConfig';

/** Annotation naming the pipeline within its organization (the id is only known once registered). */
export const ANNOTATION_PIPELINE_NAME = 'ingestion.backstage.io/pipeline-name';

/**
 * The catalog entity ref of a pipeline, as the ingestion entity provider names it:
 * `component:<organization>/<pipeline name>`.
 */
export function pipelineEntityRef(organization: string, name: string): string {
  return formatEntityRef(pipelineEntityName(organization, name));
}

/** The pipeline whose files are generated. */
export interface PipelineIdentity {
  /** The backend's id once registered; before that the pipeline is known by its name. */
  id?: string;
  name: string;
  description?: string;
  owner: string;
  version: number;
}

function describeTransform(t: TransformSpec): string {
  switch (t.type) {
    case 'filter':
      return `filter: keep rows where \`${t.condition}\``;
    case 'aggregate': {
      const aggregations = Object.entries(t.aggregations)
        .map(([out, a]) => `${a.function}(${a.column ?? '*'}) as ${out}`)
        .join(', ');
      return `aggregate: ${aggregations}${
        t.group_by.length ? ` by ${t.group_by.join(', ')}` : ''
      }`;
    }
    case 'window':
      return `window: ${t.window_type} of ${t.duration} on ${t.time_column}`;
    default: {
      const { type, ...rest } = t as { type: string } & Record<string, unknown>;
      return `${type}: \`${JSON.stringify(rest)}\``;
    }
  }
}

function describeRule(rule: QualityRuleSpec): string {
  const r = rule as Record<string, unknown> & { type: string };
  const columns = Array.isArray(r.columns) ? ` of ${r.columns.join(', ')}` : '';
  const threshold =
    typeof r.threshold === 'number' ? `, threshold ${r.threshold}` : '';
  return `${r.name ? `${r.name}: ` : ''}${r.type}${columns}${threshold} (${
    r.severity ?? 'fail'
  })`;
}

function money(value: number, currency: string): string {
  return `${value.toFixed(2)} ${currency}`;
}

/** The review of a new pipeline's cost, as Markdown (the README's section and the template's output). */
export function renderCostReview(
  estimate: CostEstimate,
  budgetRemaining: number | undefined,
  warnings: string[],
): string {
  const per = estimate.basis === 'hour' ? 'hour (continuous)' : 'run';
  const lines = [
    '| | |',
    '| --- | --- |',
    `| Cluster | ${estimate.minWorkers}–${estimate.maxWorkers} × ${estimate.nodeType} (${estimate.workloadType}); ${estimate.workers} workers for the expected volume |`,
    `| DBU per hour | ${estimate.dbuPerHour} (${estimate.minDbuPerHour}–${estimate.maxDbuPerHour}) |`,
    `| Per ${per} | **${money(estimate.costPerRun, estimate.currency)}** (${
      estimate.dbusPerRun
    } DBU at ${estimate.dbuPrice} ${estimate.currency}, ${
      estimate.hoursPerRun
    } h) |`,
    `| Per month | **${money(estimate.costPerMonth, estimate.currency)}** (${
      estimate.runsPerMonth
    } ${estimate.basis === 'hour' ? 'hours' : 'runs'}) |`,
    ...(budgetRemaining === undefined
      ? []
      : [
          `| Budget left this month | ${money(
            budgetRemaining,
            estimate.currency,
          )} |`,
        ]),
    '',
    `Assumptions: ${estimate.assumptions.join('; ')}.`,
    ...(warnings.length
      ? ['', ...warnings.map(warning => `> **Warning:** ${warning}`)]
      : []),
  ];
  return lines.join('\n');
}

function renderReadme(options: {
  spec: PipelineSpec;
  organization: OrganizationSettings;
  pipeline: PipelineIdentity;
  slug: string;
  costReview: string;
}): string {
  const { spec, organization, pipeline, slug, costReview } = options;
  const sources = getSourceDatasets(spec);
  const target = getTargetDataset(spec);
  const connections = [
    ...new Set(sources.map(s => s.connection).filter((c): c is string => !!c)),
  ];
  let schedule =
    spec.pipeline_type === 'streaming' ? 'continuous' : 'on demand';
  if (spec.schedule) {
    schedule = `\`${spec.schedule.cron}\` (${spec.schedule.timezone})`;
  }
  const rows = [
    `| Organization | ${organization.name} (\`${organization.id}\`), cost center ${organization.costCenter} |`,
    `| Owner | \`${pipeline.owner}\` |`,
    `| Type | ${spec.pipeline_type}, ${schedule} |`,
    ...sources.map(
      s =>
        `| ${s.role === 'source' ? 'Source' : 'Joins'} | ${s.kind} \`${
          s.name
        }\` |`,
    ),
    ...(target ? [`| Target | ${target.kind} \`${target.name}\` |`] : []),
  ];
  const transforms = spec.transformations.map(
    (t, i) => `${i + 1}. ${describeTransform(t)}`,
  );
  const rules = spec.data_quality.map(r => `- ${describeRule(r)}`);
  return [
    `# ${pipeline.name}`,
    '',
    pipeline.description ?? `An ingestion pipeline of ${organization.name}.`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows,
    '',
    '## Transformations',
    '',
    ...(transforms.length ? transforms : ['None: rows are written as read.']),
    '',
    '## Data quality rules',
    '',
    ...(rules.length ? rules : ['None.']),
    '',
    '## Estimated cost on Databricks',
    '',
    costReview,
    '',
    '## Files',
    '',
    '- `pipeline.yaml`: the pipeline spec. The ingestion portal keeps every version of it; change the',
    '  pipeline there (or through `PUT /api/ingestion/v1/pipelines/{id}`) so each change is a new version.',
    `- \`src/${slug}.py\`: the PySpark notebook generated from the spec.`,
    '- `job.json`: the Databricks job (Jobs API 2.2 settings) that runs the notebook on the schedule.',
    `- \`databricks.yml\` and \`resources/${slug}.job.yml\`: the same job as a Databricks Asset Bundle,`,
    `  for \`databricks bundle deploy -t ${organization.environment}\`.`,
    '- `catalog-info.yaml`: the pipeline as a catalog entity. Where the ingestion catalog module runs, it',
    '  publishes this entity itself: do not register the file there as well.',
    '- `ci/ingestion.sh` and `.github/workflows/ingestion.yml`: CI with the `ingestion` CLI: every change',
    '  is validated, the default branch is applied to the portal (set `INGESTION_URL` and `INGESTION_TOKEN`).',
    '',
    'These files are generated: regenerate them from the spec rather than editing them.',
    ...(connections.length
      ? [
          '',
          '## Credentials',
          '',
          'No credentials are in this repository. On Databricks, the notebook reads them from the secret',
          `scope${connections.length > 1 ? 's' : ''} ${connections
            .map(c => `\`${secretScopeName(organization.id, c)}\``)
            .join(', ')}; the ingestion portal keeps the connection${
            connections.length > 1 ? 's' : ''
          } ${connections.map(c => `\`${c}\``).join(', ')} encrypted.`,
        ]
      : []),
    '',
  ].join('\n');
}

function renderCatalogInfo(options: {
  spec: PipelineSpec;
  organization: OrganizationSettings;
  pipeline: PipelineIdentity;
}): string {
  const { spec, organization, pipeline } = options;
  const sources = getSourceDatasets(spec);
  const target = getTargetDataset(spec);
  const tags = [
    'data-pipeline',
    spec.pipeline_type,
    spec.source.type,
    spec.target.type,
  ].filter((tag, i, all) => all.indexOf(tag) === i);
  const entityName = pipelineEntityName(organization.id, pipeline.name);
  const entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: entityName.name,
      namespace: entityName.namespace,
      title: pipeline.name,
      ...(pipeline.description ? { description: pipeline.description } : {}),
      annotations: {
        [ANNOTATION_ORGANIZATION]: organization.id,
        [ANNOTATION_PIPELINE_NAME]: pipeline.name,
        ...(pipeline.id ? { [ANNOTATION_PIPELINE_ID]: pipeline.id } : {}),
      },
      tags,
    },
    spec: {
      type: 'data-pipeline',
      lifecycle:
        organization.environment === 'production'
          ? 'production'
          : 'experimental',
      owner: pipeline.owner,
      system: formatEntityRef(dataPlatformSystemName(organization.id)),
    },
  };
  const header = [
    `# ${pipeline.name}: reads ${sources.map(s => s.name).join(', ')}${
      target ? `, writes ${target.name}` : ''
    }.`,
  ];
  return `${header.join('\n')}\n${stringify(entity, { lineWidth: 0 })}`;
}

/**
 * Everything `ingestion:pipeline:create` writes into the pipeline's repository: the spec, the
 * Databricks notebook, job and bundle generated from it, the catalog entity and a README.
 * Deterministic, so regenerated files only differ where the pipeline changed.
 *
 * @throws InputError when the spec cannot run on Databricks (e.g. a schedule Quartz cannot express).
 */
export function renderPipelineFiles(options: {
  spec: PipelineSpec;
  organization: OrganizationSettings;
  pipeline: PipelineIdentity;
  workloadType: WorkloadType;
  costReview: string;
}): Record<string, string> {
  const { spec, organization, pipeline, workloadType } = options;
  const codegenPipeline = {
    id: pipeline.id ?? pipeline.name,
    name: pipeline.name,
    owner: pipeline.owner,
    version: pipeline.version,
    ...(pipeline.description ? { description: pipeline.description } : {}),
  };
  let artifacts;
  try {
    artifacts = generateDatabricksArtifacts({
      spec,
      organization: toCodegenOrganization(organization),
      pipeline: codegenPipeline,
      workloadType,
    });
  } catch (error) {
    throw new InputError(
      `The pipeline cannot be generated for Databricks: ${
        (error as Error).message
      }`,
    );
  }
  const slug = pipelineSlug(codegenPipeline);
  const specYaml = [
    `# Pipeline ${organization.id}/${pipeline.name}: the spec as registered (defaults applied).`,
    '# Reference: the ingestion-common README, "Pipeline spec".',
    stringify(spec, { lineWidth: 0, aliasDuplicateObjects: false }),
  ].join('\n');
  return {
    'pipeline.yaml': specYaml,
    'README.md': renderReadme({ ...options, slug }),
    'catalog-info.yaml': renderCatalogInfo(options),
    'job.json': `${JSON.stringify(artifacts.job, null, 2)}\n`,
    ...artifacts.bundle.files,
    // Its CI validates with the ingestion CLI and applies on the default branch.
    ...renderCiFiles(),
  };
}
