import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type { QualityResult } from '@ingestion-for-backstage/plugin-ingestion-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { ingestionApiRef } from '../../../api/IngestionApi';
import { ApiErrorPanel } from '../../common/ApiErrorPanel';
import { QualityScoreCard } from './QualityScoreCard';
import { RuleHistory } from './RuleHistory';

/**
 * A pipeline's quality monitor: its score with the daily trend and open breaches, then each
 * rule's history against its threshold (from the results the quality section already loaded).
 */
export function PipelineQualityMonitor(props: {
  pipelineId: string;
  results: QualityResult[];
}) {
  const { pipelineId, results } = props;
  const api = useApi(ingestionApiRef);
  const {
    value: pipeline,
    loading,
    error,
  } = useAsync(() => api.getPipeline(pipelineId), [api, pipelineId]);
  if (loading) return <Progress />;
  if (error) return <ApiErrorPanel error={error} resource="This pipeline" />;
  return (
    <Box mb={3}>
      <QualityScoreCard
        title="Quality score"
        query={{ organization: pipeline!.organization, pipeline: pipelineId }}
      />
      <Typography variant="h6" style={{ margin: '24px 0 8px' }}>
        Rule history
      </Typography>
      <RuleHistory results={results} pipelineId={pipelineId} />
    </Box>
  );
}
