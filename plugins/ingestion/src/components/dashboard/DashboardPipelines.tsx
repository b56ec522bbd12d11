import { Link, Table, type TableColumn } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import type { Run } from '@ingestion-for-backstage/plugin-ingestion-common';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';
import {
  dashboardApiRef,
  PIPELINE_HEALTHS,
  type DashboardPipeline,
  type DashboardPipelineFilters,
  type PipelineHealth,
} from '../../api/DashboardApi';
import { pipelineRouteRef } from '../../routes';
import { ApiErrorPanel } from '../common/ApiErrorPanel';
import { formatTime } from '../common/format';
import { RunStatus } from '../common/RunStatus';
import { useRunSignals } from '../common/useRunSignals';
import { HEALTH_LABELS, HealthStatus } from './health';

export const PAGE_SIZE = 20;
/** Typing pauses this long before the filters go to the server. */
export const FILTER_DEBOUNCE_MS = 400;

/** The latest run's status, kept live by the pipeline's run signals. */
function LiveRunStatus(props: { pipeline: DashboardPipeline }) {
  const { pipeline } = props;
  const { lastSignal } = useRunSignals({
    pipelineId: pipeline.id,
    active: false,
  });
  const status =
    lastSignal && lastSignal.pipelineId === pipeline.id
      ? lastSignal.status
      : pipeline.lastRun?.status;
  if (!status) return <Typography variant="body2">never run</Typography>;
  const live = Boolean(lastSignal && lastSignal.pipelineId === pipeline.id);
  return (
    <div style={{ whiteSpace: 'nowrap' }}>
      <RunStatus status={status as Run['status']} />
      {pipeline.lastRun && !live && (
        <Typography variant="caption" color="textSecondary" display="block">
          queued {formatTime(pipeline.lastRun.queuedAt)}
        </Typography>
      )}
    </div>
  );
}

type TextFilters = Pick<DashboardPipelineFilters, 'name' | 'owner' | 'tag'>;

/**
 * The organization's pipelines with health and live run status; every filter goes to the server
 * (text after a pause in typing) and pages come from the server with the total.
 */
export function DashboardPipelines(props: {
  organization: string;
  status?: PipelineHealth;
  onStatusChange(status?: PipelineHealth): void;
  /** Changes when runs change: the page is fetched again. */
  generation?: number;
}) {
  const { organization, status } = props;
  const api = useApi(dashboardApiRef);
  const pipelineLink = useRouteRef(pipelineRouteRef);
  const [typed, setTyped] = useState<TextFilters>({});
  const [text, setText] = useState<TextFilters>({});
  const [type, setType] = useState<DashboardPipelineFilters['type']>();
  const [engine, setEngine] = useState<string>();
  const [page, setPage] = useState(0);
  useDebounce(
    // Same filters, same state: no re-render of the table.
    () =>
      setText(previous =>
        JSON.stringify(previous) === JSON.stringify(typed) ? previous : typed,
      ),
    FILTER_DEBOUNCE_MS,
    [typed],
  );
  const filters = { ...text, type, engine, status };
  const filtersKey = JSON.stringify([organization, filters]);
  useEffect(() => setPage(0), [filtersKey]);

  const { value, loading, error } = useAsync(
    () =>
      api.listPipelines(organization, {
        ...filters,
        offset: page * PAGE_SIZE,
        limit: PAGE_SIZE,
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, filtersKey, page, props.generation],
  );
  const totalCount = value?.totalCount ?? 0;
  // Back to the last page when the total shrank under the current one.
  useEffect(() => {
    if (value && page > 0 && page * PAGE_SIZE >= totalCount) {
      setPage(Math.max(0, Math.ceil(totalCount / PAGE_SIZE) - 1));
    }
  }, [value, page, totalCount]);

  const columns: TableColumn<DashboardPipeline>[] = [
    {
      title: 'Pipeline',
      highlight: true,
      render: p =>
        pipelineLink ? (
          <Link
            to={pipelineLink({ pipelineId: p.id })}
            style={{ whiteSpace: 'nowrap' }}
          >
            {p.name}
          </Link>
        ) : (
          p.name
        ),
    },
    {
      title: 'Health',
      render: p => (
        <span style={{ whiteSpace: 'nowrap' }}>
          <HealthStatus health={p.health} />
        </span>
      ),
    },
    { title: 'Latest run', render: p => <LiveRunStatus pipeline={p} /> },
    {
      title: 'Type · engine',
      render: p => `${p.pipelineType} · ${p.engine}`,
    },
    {
      title: 'Schedule',
      render: p =>
        p.schedule ? `${p.schedule} (${p.scheduleTimezone ?? 'UTC'})` : '—',
    },
    { title: 'Owner', field: 'owner' },
  ];

  const textField = (key: keyof TextFilters, label: string, help?: string) => (
    <TextField
      id={`dashboard-filter-${key}`}
      label={label}
      helperText={help}
      size="small"
      variant="outlined"
      fullWidth
      value={typed[key] ?? ''}
      onChange={e => setTyped(t => ({ ...t, [key]: e.target.value }))}
    />
  );
  const select = (
    id: string,
    label: string,
    current: string | undefined,
    options: Array<[string, string]>,
    onChange: (value: string | undefined) => void,
  ) => (
    <TextField
      id={`dashboard-filter-${id}`}
      select
      label={label}
      size="small"
      variant="outlined"
      fullWidth
      value={current ?? ''}
      onChange={e => onChange(e.target.value || undefined)}
    >
      <MenuItem value="">Any</MenuItem>
      {options.map(([v, l]) => (
        <MenuItem key={v} value={v}>
          {l}
        </MenuItem>
      ))}
    </TextField>
  );

  return (
    <div id="dashboard-pipelines">
      <Grid
        container
        spacing={2}
        role="search"
        aria-label="Filter pipelines"
        style={{ marginBottom: 8 }}
      >
        <Grid item xs={12} sm={6} md={4} lg={2}>
          {textField('name', 'Search by name')}
        </Grid>
        <Grid item xs={12} sm={6} md={4} lg={2}>
          {textField('owner', 'Owner', 'e.g. group:default/finance')}
        </Grid>
        <Grid item xs={12} sm={6} md={4} lg={2}>
          {textField('tag', 'Tag', 'e.g. mysql, iceberg')}
        </Grid>
        <Grid item xs={12} sm={6} md={4} lg={2}>
          {select(
            'type',
            'Type',
            type,
            [
              ['batch', 'batch'],
              ['streaming', 'streaming'],
            ],
            v => setType(v as DashboardPipelineFilters['type']),
          )}
        </Grid>
        <Grid item xs={12} sm={6} md={4} lg={2}>
          {select(
            'engine',
            'Engine',
            engine,
            [
              ['local', 'local'],
              ['databricks', 'databricks'],
            ],
            setEngine,
          )}
        </Grid>
        <Grid item xs={12} sm={6} md={4} lg={2}>
          {select(
            'status',
            'Health',
            status,
            PIPELINE_HEALTHS.map(h => [h, HEALTH_LABELS[h]]),
            v => props.onStatusChange(v as PipelineHealth | undefined),
          )}
        </Grid>
      </Grid>
      {error ? (
        <ApiErrorPanel error={error} resource="This organization's pipelines" />
      ) : (
        <Table<DashboardPipeline>
          title={`Pipelines (${totalCount})`}
          isLoading={loading}
          columns={columns}
          data={value?.items ?? []}
          page={page}
          totalCount={totalCount}
          onPageChange={setPage}
          options={{
            search: false,
            paging: true,
            pageSize: PAGE_SIZE,
            pageSizeOptions: [PAGE_SIZE],
            emptyRowsWhenPaging: false,
            padding: 'dense',
          }}
          emptyContent={
            <Typography style={{ padding: 16 }}>
              {Object.values(filters).some(Boolean)
                ? 'No pipelines match these filters.'
                : 'This organization has no pipelines yet. Create one from a template on the Create page.'}
            </Typography>
          }
        />
      )}
    </div>
  );
}
