import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type {
  EffectivePipelineSpec,
  PipelineDetails,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { ingestionApiRef } from '../../api/IngestionApi';
import { ApiErrorPanel } from '../common/ApiErrorPanel';

/**
 * Why a deployed Databricks job does not run what the pipeline's runs execute, if it does not:
 * another version (for the deploy step to roll out), or a notebook without the PII masks the
 * environment now requires (the backend's deployment sync re-imports it).
 */
export function staleDeployment(
  pipeline: PipelineDetails,
  effective: EffectivePipelineSpec,
): string | undefined {
  const deployment = pipeline.deployment;
  if (!deployment) return undefined;
  if (deployment.deployedVersion !== effective.version) {
    return `The Databricks job runs version ${deployment.deployedVersion}; deploy version ${effective.version} to update it.`;
  }
  if (deployment.specHash !== effective.specHash) {
    return "The Databricks job's notebook predates the PII masks this environment now requires: the backend updates it within minutes (runs started here use the current masks already).";
  }
  return undefined;
}

/** What the governance policy does to the pipeline's runs: masked PII columns and the job's state. */
export function PipelineGovernance(props: { pipeline: PipelineDetails }) {
  const { pipeline } = props;
  const api = useApi(ingestionApiRef);
  const { value, loading, error } = useAsync(
    () => api.getEffectiveSpec(pipeline.id),
    [api, pipeline.id, pipeline.currentVersion],
  );
  const stale = value && staleDeployment(pipeline, value);
  return (
    <InfoCard title="PII governance">
      {loading && <Progress />}
      {error && <ApiErrorPanel error={error} />}
      {value && (
        <>
          {value.environment === 'production' ? (
            <Typography>
              Production: runs write the data as read; masking applies to
              non-production environments only.
            </Typography>
          ) : (
            <>
              <Typography gutterBottom>
                {value.maskedColumns.length > 0
                  ? `Masked (SHA-256) in every run of this ${value.environment} organization:`
                  : `No PII known for the target yet. Each run of this ${value.environment} organization reviews a sample of its output and masks what it finds before the commit.`}
              </Typography>
              {value.maskedColumns.map(masked => (
                <Chip
                  key={masked.column}
                  size="small"
                  label={`${masked.column}${
                    masked.types.length > 0
                      ? ` (${masked.types.join(', ')})`
                      : ''
                  }`}
                  style={{ marginRight: 8, marginBottom: 8 }}
                />
              ))}
            </>
          )}
          {stale && (
            <Typography color="error" style={{ marginTop: 8 }}>
              {stale}
            </Typography>
          )}
        </>
      )}
    </InfoCard>
  );
}
