import {
  CodeSnippet,
  InfoCard,
  StructuredMetadataTable,
} from '@backstage/core-components';
import {
  datasetEntityName,
  formatEntityRef,
  formatPipelineSpecText,
  getSourceDatasets,
  getTargetDataset,
  validatePipelineSpec,
  type DatasetRef,
  type PipelineDetails,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import ArrowForwardIcon from '@material-ui/icons/ArrowForward';
import { formatTime } from '../common/format';
import { DeploymentStatusPanel } from '../editor/DeploymentStatusPanel';
import { PipelineGovernance } from './PipelineGovernance';

/** Where the pipeline reads and writes, from its spec; undefined when the spec does not parse. */
export function pipelineFlow(
  spec: unknown,
): { sources: DatasetRef[]; target: DatasetRef } | undefined {
  const validation = validatePipelineSpec(spec);
  if (!validation.valid) return undefined;
  return {
    sources: getSourceDatasets(validation.spec),
    target: getTargetDataset(validation.spec),
  };
}

function Dataset(props: { organization: string; dataset: DatasetRef }) {
  const { organization, dataset } = props;
  return (
    <div>
      <Typography variant="caption" color="textSecondary">
        {dataset.role} · {dataset.kind}
      </Typography>
      <Typography>
        <EntityRefLink
          entityRef={formatEntityRef(datasetEntityName(organization, dataset))}
          hideIcon
        >
          {dataset.name}
        </EntityRefLink>
      </Typography>
    </div>
  );
}

/** A pipeline at a glance: source → pipeline → target, its facts, and its spec as YAML. */
export function PipelineOverview(props: { pipeline: PipelineDetails }) {
  const { pipeline } = props;
  const flow = pipelineFlow(pipeline.spec);
  return (
    <Grid container spacing={3}>
      {pipeline.deployment && (
        <Grid item xs={12}>
          <DeploymentStatusPanel
            pipelineId={pipeline.id}
            version={pipeline.currentVersion}
          />
        </Grid>
      )}
      <Grid item xs={12}>
        <InfoCard title="Flow">
          {flow ? (
            <div
              style={{
                display: 'flex',
                alignItems: 'center',
                gap: 16,
                flexWrap: 'wrap',
              }}
            >
              <div>
                {flow.sources.map(source => (
                  <Dataset
                    key={`${source.kind}:${source.name}`}
                    organization={pipeline.organization}
                    dataset={source}
                  />
                ))}
              </div>
              <ArrowForwardIcon />
              <Chip color="primary" label={pipeline.name} />
              <ArrowForwardIcon />
              <Dataset
                organization={pipeline.organization}
                dataset={flow.target}
              />
            </div>
          ) : (
            <Typography>
              The spec of this version does not validate any more; see it below.
            </Typography>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={5}>
        <InfoCard title="About">
          <StructuredMetadataTable
            metadata={{
              description: pipeline.description ?? '—',
              owner: pipeline.owner,
              created: `${formatTime(pipeline.createdAt)} by ${
                pipeline.createdBy
              }`,
              updated: `${formatTime(pipeline.updatedAt)} by ${
                pipeline.updatedBy
              }`,
              deployment: pipeline.deployment
                ? `Databricks job ${
                    pipeline.deployment.databricksJobId
                  }, version ${
                    pipeline.deployment.deployedVersion
                  }, ${formatTime(pipeline.deployment.deployedAt)}`
                : 'not deployed to Databricks',
            }}
          />
        </InfoCard>
        <div style={{ marginTop: 24 }}>
          <PipelineGovernance pipeline={pipeline} />
        </div>
      </Grid>
      <Grid item xs={12} md={7}>
        <InfoCard title={`Spec (version ${pipeline.currentVersion})`}>
          <CodeSnippet
            language="yaml"
            text={formatPipelineSpecText(pipeline.spec)}
            showCopyCodeButton
          />
        </InfoCard>
      </Grid>
    </Grid>
  );
}
