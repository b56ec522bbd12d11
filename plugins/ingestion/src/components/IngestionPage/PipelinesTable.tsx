import { Link, type TableColumn } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import type { Pipeline } from '@ingestion-for-backstage/plugin-ingestion-common';
import { ingestionApiRef } from '../../api/IngestionApi';
import { pipelineRouteRef } from '../../routes';
import { CursorTable } from '../common/CursorTable';
import { formatTime } from '../common/format';

/** The pipelines the signed-in user may read, newest change first. */
export function PipelinesTable(props: { organization?: string }) {
  const api = useApi(ingestionApiRef);
  const pipelineLink = useRouteRef(pipelineRouteRef);
  const columns: TableColumn<Pipeline>[] = [
    {
      title: 'Pipeline',
      field: 'name',
      highlight: true,
      render: p =>
        pipelineLink ? (
          <Link to={pipelineLink({ pipelineId: p.id })}>{p.name}</Link>
        ) : (
          p.name
        ),
    },
    { title: 'Organization', field: 'organization' },
    { title: 'Type', field: 'pipelineType' },
    {
      title: 'Schedule',
      render: p =>
        p.schedule ? `${p.schedule} (${p.scheduleTimezone ?? 'UTC'})` : '—',
    },
    { title: 'Engine', field: 'engine' },
    { title: 'Version', field: 'currentVersion' },
    { title: 'Owner', field: 'owner' },
    { title: 'Updated', render: p => formatTime(p.updatedAt) },
  ];
  return (
    <CursorTable<Pipeline>
      title="Pipelines"
      columns={columns}
      deps={[props.organization]}
      fetchPage={cursor =>
        api.listPipelines({
          organization: props.organization,
          cursor,
          limit: 20,
        })
      }
      emptyMessage="No pipelines yet. Create one from a template on the Create page."
    />
  );
}
