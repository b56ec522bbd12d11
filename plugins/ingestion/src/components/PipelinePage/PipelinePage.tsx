import { useSearchParams } from 'react-router-dom';
import {
  Content,
  Header,
  HeaderLabel,
  Link,
  Page,
  Progress,
} from '@backstage/core-components';
import {
  useApi,
  useApiHolder,
  useRouteRef,
  useRouteRefParams,
} from '@backstage/frontend-plugin-api';
import {
  formatEntityRef,
  pipelineEntityName,
  pipelineUpdatePermission,
  type PipelineDetails,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { usePermission } from '@backstage/plugin-permission-react';
import Button from '@material-ui/core/Button';
import EditIcon from '@material-ui/icons/Edit';
import { Link as RouterLink } from 'react-router-dom';
import { catalogApiRef, EntityRefLink } from '@backstage/plugin-catalog-react';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { ingestionApiRef } from '../../api/IngestionApi';
import { pipelineRouteRef } from '../../routes';
import { ApiErrorPanel } from '../common/ApiErrorPanel';
import { editPipelineRouteRef } from '../editor/routes';
import { PipelineCost } from '../pipeline/PipelineCost';
import { PipelineOverview } from '../pipeline/PipelineOverview';
import { PipelineQuality } from '../pipeline/PipelineQuality';
import { PipelineRuns } from '../pipeline/PipelineRuns';
import { PipelineVersions } from '../pipeline/PipelineVersions';

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'runs', label: 'Runs' },
  { id: 'versions', label: 'Versions' },
  { id: 'quality', label: 'Quality' },
  { id: 'cost', label: 'Cost' },
] as const;
type TabId = (typeof TABS)[number]['id'];

/**
 * The Databricks job's URL from the pipeline's catalog entity: only the catalog module knows
 * the organization's workspace host, and it links the job there.
 */
function useDatabricksJobUrl(entityRef: string, jobId?: string) {
  const catalogApi = useApiHolder().get(catalogApiRef);
  const { value } = useAsync(async () => {
    if (!jobId || !catalogApi) return undefined;
    const entity = await catalogApi.getEntityByRef(entityRef);
    return entity?.metadata.links?.find(link =>
      link.url.replace(/\/+$/, '').endsWith(`/jobs/${jobId}`),
    )?.url;
  }, [catalogApi, entityRef, jobId]);
  return value;
}

/** "Edit" for users the policy lets update the pipeline, when the editor page is mounted. */
function EditButton(props: { pipelineId: string }) {
  const editLink = useRouteRef(editPipelineRouteRef);
  const update = usePermission({
    permission: pipelineUpdatePermission,
    resourceRef: props.pipelineId,
  });
  if (!editLink || !update.allowed) return null;
  return (
    <Button
      component={RouterLink}
      to={editLink({ pipelineId: props.pipelineId })}
      variant="contained"
      color="primary"
      startIcon={<EditIcon />}
    >
      Edit
    </Button>
  );
}

function PipelineHeader(props: { pipeline: PipelineDetails }) {
  const { pipeline } = props;
  const api = useApi(ingestionApiRef);
  const organizations = useAsync(() => api.listOrganizations(), [api]);
  const organization = organizations.value?.items.find(
    o => o.id === pipeline.organization,
  );
  const entityRef = formatEntityRef(
    pipelineEntityName(pipeline.organization, pipeline.name),
  );
  const jobUrl = useDatabricksJobUrl(
    entityRef,
    pipeline.deployment?.databricksJobId,
  );
  return (
    <Header
      title={pipeline.name}
      type="Pipeline"
      subtitle={
        <>
          {pipeline.description && (
            <Typography variant="body2">{pipeline.description}</Typography>
          )}
          <Typography variant="body2" component="span">
            Catalog entity:{' '}
            <EntityRefLink entityRef={entityRef} hideIcon>
              {entityRef}
            </EntityRefLink>
            {pipeline.deployment && (
              <>
                {' · Databricks job '}
                {jobUrl ? (
                  <Link to={jobUrl}>{pipeline.deployment.databricksJobId}</Link>
                ) : (
                  pipeline.deployment.databricksJobId
                )}
                {` (version ${pipeline.deployment.deployedVersion})`}
              </>
            )}
          </Typography>
        </>
      }
    >
      <HeaderLabel
        label="Organization"
        value={organization?.name ?? pipeline.organization}
      />
      <HeaderLabel label="Environment" value={organization?.environment} />
      <HeaderLabel label="Mode" value={pipeline.pipelineType} />
      <HeaderLabel
        label="Schedule"
        value={
          pipeline.schedule
            ? `${pipeline.schedule} (${pipeline.scheduleTimezone ?? 'UTC'})`
            : 'manual'
        }
      />
      <HeaderLabel label="Engine" value={pipeline.engine} />
      <HeaderLabel label="Version" value={String(pipeline.currentVersion)} />
      <EditButton pipelineId={pipeline.id} />
    </Header>
  );
}

/** One pipeline: header, then Overview, Runs, Versions, Quality and Cost tabs (`?tab=`). */
export function PipelineView(props: { pipelineId: string }) {
  const { pipelineId } = props;
  const api = useApi(ingestionApiRef);
  const [searchParams, setSearchParams] = useSearchParams();
  const requested = searchParams.get('tab');
  const tab: TabId = TABS.some(t => t.id === requested)
    ? (requested as TabId)
    : 'overview';
  const { loading, error, value } = useAsync(
    () => api.getPipeline(pipelineId),
    [api, pipelineId],
  );
  // What a rollback returned: the new version shows without fetching the pipeline again.
  const [saved, setSaved] = useState<PipelineDetails>();
  const pipeline = saved?.id === pipelineId ? saved : value;

  if (loading) {
    return (
      <Page themeId="tool">
        <Header title="Pipeline" type="Ingestion" />
        <Content>
          <Progress />
        </Content>
      </Page>
    );
  }
  if (error || !pipeline) {
    return (
      <Page themeId="tool">
        <Header title="Pipeline" type="Ingestion" />
        <Content>
          <ApiErrorPanel error={error!} resource="This pipeline" />
        </Content>
      </Page>
    );
  }
  return (
    <Page themeId="tool">
      <PipelineHeader pipeline={pipeline} />
      <Content>
        <Tabs
          value={tab}
          onChange={(_, next: TabId) =>
            setSearchParams({ tab: next }, { replace: true })
          }
          indicatorColor="primary"
          style={{ marginBottom: 24 }}
        >
          {TABS.map(t => (
            <Tab key={t.id} value={t.id} label={t.label} />
          ))}
        </Tabs>
        {tab === 'overview' && <PipelineOverview pipeline={pipeline} />}
        {tab === 'runs' && <PipelineRuns pipelineId={pipeline.id} />}
        {tab === 'versions' && (
          <PipelineVersions pipeline={pipeline} onRolledBack={setSaved} />
        )}
        {tab === 'quality' && <PipelineQuality pipelineId={pipeline.id} />}
        {tab === 'cost' && <PipelineCost pipeline={pipeline} />}
      </Content>
    </Page>
  );
}

/** The page at `/ingestion/pipelines/:pipelineId`. */
export function PipelinePage() {
  const { pipelineId } = useRouteRefParams(pipelineRouteRef);
  return <PipelineView pipelineId={pipelineId} />;
}
