import { useSearchParams } from 'react-router-dom';
import {
  Content,
  EmptyState,
  Header,
  Link,
  Page,
  Progress,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import useAsync from 'react-use/esm/useAsync';
import { exploreApiRef, type QualityScores } from '../../../api/ExploreApi';
import { ingestionApiRef } from '../../../api/IngestionApi';
import { pipelineRouteRef } from '../../../routes';
import { ApiErrorPanel } from '../../common/ApiErrorPanel';
import { formatTime } from '../../common/format';
import { QualityScoreView, RunLink } from './QualityScoreCard';
import { formatScore } from './score';

const PERIODS = [7, 30, 90] as const;
const DAY_MS = 86_400_000;

type PipelineScore = QualityScores['pipelines'][number];

function PipelineScoresTable(props: { pipelines: PipelineScore[] }) {
  const pipelineLink = useRouteRef(pipelineRouteRef);
  const columns: TableColumn<PipelineScore>[] = [
    {
      title: 'Pipeline',
      render: p =>
        pipelineLink ? (
          <Link
            to={`${pipelineLink({ pipelineId: p.pipelineId })}?tab=quality`}
          >
            {p.name}
          </Link>
        ) : (
          p.name
        ),
    },
    { title: 'Score', render: p => formatScore(p.score) },
    { title: 'Rules passing', render: p => `${p.passing} of ${p.rules}` },
    { title: 'Open breaches', field: 'breaches' },
    {
      title: 'Latest checked run',
      render: p => (
        <>
          <RunLink pipelineId={p.pipelineId} runId={p.runId} /> (
          {formatTime(p.checkedAt)})
        </>
      ),
    },
  ];
  return (
    <Table<PipelineScore>
      title={`Pipelines by score, lowest first (${props.pipelines.length})`}
      options={{
        paging: props.pipelines.length > 20,
        pageSize: 20,
        search: true,
        padding: 'dense',
      }}
      columns={columns}
      data={props.pipelines}
    />
  );
}

/** `/ingestion/quality?organization=&days=`: an organization's quality monitor. */
export function QualityMonitorPage() {
  const ingestion = useApi(ingestionApiRef);
  const explore = useApi(exploreApiRef);
  const [params, setParams] = useSearchParams();
  const days = (PERIODS as readonly number[]).includes(
    Number(params.get('days')),
  )
    ? Number(params.get('days'))
    : 30;
  const organizations = useAsync(
    () => ingestion.listOrganizations(),
    [ingestion],
  );
  const organization =
    params.get('organization') ?? organizations.value?.items[0]?.id;
  const scores = useAsync(async () => {
    if (!organization) return undefined;
    const to = new Date();
    const from = new Date(to.getTime() - (days - 1) * DAY_MS);
    return explore.getQualityScores({
      organization,
      from: from.toISOString().slice(0, 10),
      to: to.toISOString().slice(0, 10),
    });
  }, [explore, organization, days]);

  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    next.set(key, value);
    setParams(next, { replace: true });
  };

  let body: JSX.Element;
  if (organizations.loading) {
    body = <Progress />;
  } else if (organizations.error) {
    body = (
      <ApiErrorPanel
        error={organizations.error}
        resource="Your organizations"
      />
    );
  } else if (!organization) {
    body = (
      <EmptyState
        missing="info"
        title="No organization"
        description="You are not a member of any organization: ask an organization's admin for a role."
      />
    );
  } else {
    body = (
      <>
        <Box display="flex" gridGap={16} mb={2}>
          <TextField
            select
            id="quality-organization"
            label="Organization"
            value={organization}
            onChange={e => set('organization', String(e.target.value))}
            variant="outlined"
            size="small"
            style={{ minWidth: 200 }}
          >
            {(organizations.value?.items ?? []).map(o => (
              <MenuItem key={o.id} value={o.id}>
                {o.name}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            select
            id="quality-period"
            label="Period"
            value={days}
            onChange={e => set('days', String(e.target.value))}
            variant="outlined"
            size="small"
            style={{ minWidth: 160 }}
          >
            {PERIODS.map(d => (
              <MenuItem key={d} value={d}>
                Last {d} days
              </MenuItem>
            ))}
          </TextField>
        </Box>
        {scores.loading && <Progress />}
        {scores.error && (
          <ApiErrorPanel
            error={scores.error}
            resource="The quality of this organization"
          />
        )}
        {scores.value && (
          <>
            <QualityScoreView
              scores={scores.value}
              title={`Quality score of ${organization}`}
              showPipeline
            />
            {scores.value.pipelines.length > 0 && (
              <Box mt={3}>
                <PipelineScoresTable pipelines={scores.value.pipelines} />
              </Box>
            )}
          </>
        )}
      </>
    );
  }
  return (
    <Page themeId="tool">
      <Header title="Quality monitor" type="Ingestion" />
      <Content>{body}</Content>
    </Page>
  );
}
