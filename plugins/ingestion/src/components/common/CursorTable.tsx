import { Table, type TableColumn } from '@backstage/core-components';
import type { Page } from '@ingestion-for-backstage/plugin-ingestion-common';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { useEffect, useState, type ReactNode } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { ApiErrorPanel } from './ApiErrorPanel';

/**
 * A table over a cursor-paginated list endpoint: pages are fetched from the server one at a time
 * (never the whole list), with loading, empty and error states.
 */
export function CursorTable<T extends object>(props: {
  title: string;
  columns: TableColumn<T>[];
  fetchPage(cursor?: string): Promise<Page<T>>;
  emptyMessage: ReactNode;
  /** Changing it starts again at the first page. */
  deps?: unknown[];
  /** Buttons shown above the table. */
  actions?: ReactNode;
  /** What the list is of, for the "no access" and "not found" panels. */
  resource?: string;
}) {
  const { title, columns, fetchPage, emptyMessage, deps = [] } = props;
  const [cursors, setCursors] = useState<Array<string | undefined>>([
    undefined,
  ]);
  const depsKey = JSON.stringify(deps);
  useEffect(() => setCursors([undefined]), [depsKey]);
  const cursor = cursors[cursors.length - 1];
  const { value, loading, error } = useAsync(
    () => fetchPage(cursor),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [cursor, depsKey],
  );
  if (error) {
    return <ApiErrorPanel error={error} resource={props.resource} />;
  }
  return (
    <>
      {props.actions && (
        <div
          style={{
            display: 'flex',
            justifyContent: 'flex-end',
            gap: 8,
            marginBottom: 8,
          }}
        >
          {props.actions}
        </div>
      )}
      <Table<T>
        title={title}
        isLoading={loading}
        options={{ paging: false, search: false, padding: 'dense' }}
        columns={columns}
        data={value?.items ?? []}
        emptyContent={
          <Typography style={{ padding: 16 }}>{emptyMessage}</Typography>
        }
      />
      <div style={{ display: 'flex', justifyContent: 'flex-end', gap: 8 }}>
        <Button
          disabled={cursors.length === 1 || loading}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          Previous
        </Button>
        <Button
          disabled={!value?.nextCursor || loading}
          onClick={() => setCursors([...cursors, value?.nextCursor])}
        >
          Next
        </Button>
      </div>
    </>
  );
}
