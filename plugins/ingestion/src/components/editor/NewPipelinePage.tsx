import {
  Content,
  EmptyState,
  Header,
  InfoCard,
  Page,
  Progress,
} from '@backstage/core-components';
import {
  alertApiRef,
  useApi,
  useRouteRef,
} from '@backstage/frontend-plugin-api';
import { pipelineCreatePermission } from '@ingestion-for-backstage/plugin-ingestion-common';
import { usePermission } from '@backstage/plugin-permission-react';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useMemo, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { editorApiRef } from '../../api/EditorApi';
import { ingestionApiRef } from '../../api/IngestionApi';
import { pipelineRouteRef, rootRouteRef } from '../../routes';
import { ApiErrorPanel } from '../common/ApiErrorPanel';
import { SpecEditor } from './SpecEditor';
import { starterSpec } from './specDraft';

/** The API's pipeline name rule. */
const NAME_PATTERN = /^[a-z][a-z0-9_-]{1,62}$/;

function Frame(props: { children: React.ReactNode }) {
  return (
    <Page themeId="tool">
      <Header title="New pipeline" type="Pipeline editor" />
      <Content>{props.children}</Content>
    </Page>
  );
}

/** The editor of a new pipeline, once the organization is known and creating is allowed. */
function NewPipelineEditor(props: {
  organization: string;
  organizations: { id: string; name: string }[];
  onOrganization(id: string): void;
}) {
  const { organization } = props;
  const editorApi = useApi(editorApiRef);
  const alertApi = useApi(alertApiRef);
  const navigate = useNavigate();
  const pipelineLink = useRouteRef(pipelineRouteRef);
  const rootLink = useRouteRef(rootRouteRef);
  const initial = useMemo(() => starterSpec(), []);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const create = usePermission({
    permission: pipelineCreatePermission,
    resourceRef: organization,
  });
  const nameProblem =
    name && !NAME_PATTERN.test(name)
      ? '2 to 63 lower-case letters, digits, - and _, starting with a letter'
      : undefined;

  let blocker: string | undefined;
  if (create.loading) blocker = 'Checking your permissions…';
  else if (!create.allowed)
    blocker =
      'You cannot create pipelines in this organization (engineers and admins can).';
  else if (!name) blocker = 'Name the pipeline to create it.';
  else if (nameProblem) blocker = `Name: ${nameProblem}.`;

  return (
    <SpecEditor
      key={organization}
      initial={initial}
      organization={organization}
      blocker={blocker}
      save={(spec, comment) =>
        editorApi.createPipeline({
          organization,
          name,
          ...(description ? { description } : {}),
          spec,
          ...(comment ? { comment } : {}),
        })
      }
      onSaved={saved => {
        alertApi.post({
          message: `Created ${saved.name}.`,
          severity: 'success',
          display: 'transient',
        });
        const link = pipelineLink?.({ pipelineId: saved.id });
        if (link) navigate(link);
      }}
      onCancel={() => {
        const link = rootLink?.();
        if (link) navigate(link);
      }}
    >
      <InfoCard title="Pipeline">
        <Grid container spacing={2}>
          <Grid item xs={12} md={4}>
            <TextField
              id="new-pipeline-organization"
              select
              required
              label="Organization"
              fullWidth
              size="small"
              variant="outlined"
              value={organization}
              onChange={e => props.onOrganization(e.target.value)}
            >
              {props.organizations.map(o => (
                <MenuItem key={o.id} value={o.id}>
                  {o.name}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          <Grid item xs={12} md={4}>
            <TextField
              id="new-pipeline-name"
              required
              label="Name"
              fullWidth
              size="small"
              variant="outlined"
              value={name}
              error={Boolean(nameProblem)}
              helperText={nameProblem ?? 'lower-case, e.g. daily-orders'}
              onChange={e => setName(e.target.value.trim())}
            />
          </Grid>
          <Grid item xs={12} md={4}>
            <TextField
              id="new-pipeline-description"
              label="Description"
              fullWidth
              size="small"
              variant="outlined"
              inputProps={{ maxLength: 2000 }}
              value={description}
              onChange={e => setDescription(e.target.value)}
            />
          </Grid>
        </Grid>
      </InfoCard>
    </SpecEditor>
  );
}

/**
 * `/ingestion/pipelines/new?organization=`: a pipeline from scratch, with the same editor as a
 * change. Organizations where the user is an engineer or admin are offered.
 */
export function NewPipelinePage() {
  const ingestionApi = useApi(ingestionApiRef);
  const [searchParams, setSearchParams] = useSearchParams();
  const { loading, error, value } = useAsync(
    () => ingestionApi.listOrganizations(),
    [ingestionApi],
  );
  if (loading) {
    return (
      <Frame>
        <Progress />
      </Frame>
    );
  }
  if (error) {
    return (
      <Frame>
        <ApiErrorPanel error={error} resource="Your organizations" />
      </Frame>
    );
  }
  const organizations = (value?.items ?? []).filter(o =>
    o.roles.some(role => role === 'engineer' || role === 'admin'),
  );
  const requested = searchParams.get('organization');
  // An organization asked for by URL is never swapped for another one silently.
  const organization = requested
    ? organizations.find(o => o.id === requested)?.id
    : organizations[0]?.id;
  if (!organization) {
    return (
      <Frame>
        <EmptyState
          missing="info"
          title="You cannot create pipelines"
          description={
            requested
              ? `Organization ${requested} does not exist, or you are not an engineer or admin in it.`
              : 'Creating a pipeline needs the engineer or admin role in an organization.'
          }
        />
      </Frame>
    );
  }
  return (
    <Frame>
      <NewPipelineEditor
        organization={organization}
        organizations={organizations}
        onOrganization={id =>
          setSearchParams({ organization: id }, { replace: true })
        }
      />
    </Frame>
  );
}
