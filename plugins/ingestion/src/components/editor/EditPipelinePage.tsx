import {
  Content,
  EmptyState,
  Header,
  Page,
  Progress,
} from '@backstage/core-components';
import {
  alertApiRef,
  useApi,
  useRouteRef,
  useRouteRefParams,
} from '@backstage/frontend-plugin-api';
import { pipelineUpdatePermission } from '@ingestion-for-backstage/plugin-ingestion-common';
import { usePermission } from '@backstage/plugin-permission-react';
import { useNavigate } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { editorApiRef } from '../../api/EditorApi';
import { ingestionApiRef } from '../../api/IngestionApi';
import { pipelineRouteRef } from '../../routes';
import { ApiErrorPanel } from '../common/ApiErrorPanel';
import { editPipelineRouteRef } from './routes';
import { DeploymentStatusPanel } from './DeploymentStatusPanel';
import { SpecEditor } from './SpecEditor';
import { isRecord, type SpecDraft } from './specDraft';

function Frame(props: { title: string; children: React.ReactNode }) {
  return (
    <Page themeId="tool">
      <Header title={props.title} type="Pipeline editor" />
      <Content>{props.children}</Content>
    </Page>
  );
}

/** Edits one pipeline: the editor for users allowed to update it, else why not. */
export function PipelineEditorView(props: { pipelineId: string }) {
  const { pipelineId } = props;
  const ingestionApi = useApi(ingestionApiRef);
  const editorApi = useApi(editorApiRef);
  const alertApi = useApi(alertApiRef);
  const navigate = useNavigate();
  const pipelineLink = useRouteRef(pipelineRouteRef);
  const update = usePermission({
    permission: pipelineUpdatePermission,
    resourceRef: pipelineId,
  });
  const {
    loading,
    error,
    value: pipeline,
  } = useAsync(
    () => ingestionApi.getPipeline(pipelineId),
    [ingestionApi, pipelineId],
  );
  const toPipeline = (id: string, tab?: string) => {
    const base = pipelineLink?.({ pipelineId: id });
    if (base) navigate(tab ? `${base}?tab=${tab}` : base);
  };

  if (loading || (pipeline && update.loading)) {
    return (
      <Frame title="Edit pipeline">
        <Progress />
      </Frame>
    );
  }
  if (error || !pipeline) {
    return (
      <Frame title="Edit pipeline">
        <ApiErrorPanel error={error!} resource="This pipeline" />
      </Frame>
    );
  }
  if (!update.allowed) {
    return (
      <Frame title={`Edit ${pipeline.name}`}>
        <EmptyState
          missing="info"
          title="You cannot edit this pipeline"
          description="Changing a pipeline needs the engineer or admin role in its organization. You can still read it, its versions and its runs on its page."
        />
      </Frame>
    );
  }
  const initial: SpecDraft = isRecord(pipeline.spec) ? pipeline.spec : {};
  return (
    <Frame title={`Edit ${pipeline.name}`}>
      <SpecEditor
        initial={initial}
        organization={pipeline.organization}
        current={{ spec: pipeline.spec, version: pipeline.currentVersion }}
        save={(spec, comment) =>
          editorApi.savePipelineVersion(pipeline.id, {
            spec,
            expectedVersion: pipeline.currentVersion,
            ...(comment ? { comment } : {}),
          })
        }
        onSaved={saved => {
          alertApi.post({
            message: `Saved version ${saved.currentVersion} of ${saved.name}.`,
            severity: 'success',
            display: 'transient',
          });
          toPipeline(saved.id, 'versions');
        }}
        onCancel={() => toPipeline(pipeline.id)}
      >
        <DeploymentStatusPanel
          pipelineId={pipeline.id}
          version={pipeline.currentVersion}
        />
      </SpecEditor>
    </Frame>
  );
}

/** The page at `/ingestion/pipelines/:pipelineId/edit`. */
export function EditPipelinePage() {
  const { pipelineId } = useRouteRefParams(editPipelineRouteRef);
  return <PipelineEditorView pipelineId={pipelineId} />;
}
