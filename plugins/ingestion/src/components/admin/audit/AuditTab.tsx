import type { TableColumn } from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import { useState } from 'react';
import { adminApiRef, type AuditEvent } from '../../../api/AdminApi';
import { CursorTable } from '../../common/CursorTable';
import { formatTime } from '../../common/format';
import { serverMessage } from '../connections/connectionFields';
import { AuditEventDialog } from './AuditEventDialog';
import {
  AuditFilters,
  auditQueryOf,
  NO_FILTERS,
  type AuditFilterValues,
} from './AuditFilters';

/** Hands text to the browser as a file download. */
function download(text: string, filename: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = filename;
  anchor.click();
  URL.revokeObjectURL(url);
}

/**
 * The organization's audit log, newest first, paged on the server: filters by actor, action,
 * resource, outcome and time; open an event for its details; export what the filters match as CSV.
 */
export function AuditTab(props: { organization: string }) {
  const { organization } = props;
  const api = useApi(adminApiRef);
  const alertApi = useApi(alertApiRef);
  const [filters, setFilters] = useState<AuditFilterValues>(NO_FILTERS);
  const [open, setOpen] = useState<AuditEvent>();
  const [exporting, setExporting] = useState(false);
  const query = auditQueryOf(organization, filters);

  const exportCsv = async () => {
    setExporting(true);
    try {
      download(await api.exportAuditEvents(query), `audit-${organization}.csv`);
    } catch (e) {
      alertApi.post({
        message: `Export failed: ${serverMessage(e)}`,
        severity: 'error',
      });
    } finally {
      setExporting(false);
    }
  };

  const columns: TableColumn<AuditEvent>[] = [
    { title: 'When', render: e => formatTime(e.at) },
    { title: 'Actor', field: 'actor' },
    { title: 'Action', field: 'action' },
    {
      title: 'Resource',
      // The name the event recorded reads better than an id; the dialog shows both.
      render: e => {
        const label =
          typeof e.meta?.name === 'string' ? e.meta.name : e.targetId;
        return `${e.targetType}${label ? ` ${label}` : ''}`;
      },
    },
    {
      title: 'Outcome',
      render: e => (
        <Chip
          size="small"
          label={e.outcome}
          color={e.outcome === 'success' ? 'default' : 'secondary'}
        />
      ),
    },
    {
      title: '',
      render: e => (
        <Button
          size="small"
          onClick={() => setOpen(e)}
          aria-label={`Open ${e.action} of ${formatTime(e.at)}`}
        >
          Open
        </Button>
      ),
    },
  ];

  return (
    <>
      <Box mb={2}>
        <AuditFilters initial={filters} onApply={setFilters} />
      </Box>
      <CursorTable<AuditEvent>
        title="Audit log"
        resource="The audit log of this organization"
        columns={columns}
        fetchPage={cursor =>
          api.listAuditEvents({ ...query, cursor, limit: 25 })
        }
        deps={[query]}
        emptyMessage="No audit events match these filters."
        actions={
          <Button variant="outlined" onClick={exportCsv} disabled={exporting}>
            Export CSV
          </Button>
        }
      />
      <AuditEventDialog event={open} onClose={() => setOpen(undefined)} />
    </>
  );
}
