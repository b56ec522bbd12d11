import {
  InfoCard,
  Link,
  StructuredMetadataTable,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import type { DataTable } from '@ingestion-for-backstage/plugin-ingestion-common';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import type { ReactNode } from 'react';
import type {
  IcebergField,
  TableMetadata,
  TableSnapshot,
} from '../../api/types';
import { pipelineRouteRef } from '../../routes';
import { formatBytes, formatNumber, formatTime } from '../common/format';

const tableOptions = {
  paging: false,
  search: false,
  padding: 'dense' as const,
};

/** A nested Iceberg type (struct, list, map) in one line. */
export function formatIcebergType(type: IcebergField['type']): string {
  if (typeof type === 'string') return type;
  const t = type as Record<string, any>;
  switch (t.type) {
    case 'struct':
      return `struct<${((t.fields as IcebergField[]) ?? [])
        .map(f => `${f.name}: ${formatIcebergType(f.type)}`)
        .join(', ')}>`;
    case 'list':
      return `list<${formatIcebergType(t.element)}>`;
    case 'map':
      return `map<${formatIcebergType(t.key)}, ${formatIcebergType(t.value)}>`;
    default:
      return JSON.stringify(type);
  }
}

interface ColumnRow extends IcebergField {
  pii: string[];
}

/** Schema, snapshots, partition spec, properties, size and rows of an Iceberg table. */
export function TableMetadataView(props: {
  table: DataTable;
  metadata: TableMetadata;
}) {
  const { table, metadata } = props;
  const pipelineLink = useRouteRef(pipelineRouteRef);
  const schema =
    metadata.currentSchema ??
    metadata.schemas[metadata.schemas.length - 1] ??
    {};
  const fields = schema.fields ?? [];
  const declaredPii = new Set(table.piiColumns ?? []);
  const columns: ColumnRow[] = fields.map(field => {
    const found = metadata.pii[field.name] ?? [];
    return {
      ...field,
      // Columns the spec declares personal and kinds the scanner found in the data.
      pii: [
        ...(declaredPii.has(field.name) && found.length === 0 ? ['pii'] : []),
        ...found,
      ],
    };
  });
  const nameOfField = new Map(fields.map(f => [f.id, f.name]));
  const spec =
    metadata.partitionSpecs?.find(
      s => s['spec-id'] === metadata.defaultSpecId,
    ) ?? metadata.partitionSpecs?.[metadata.partitionSpecs.length - 1];
  const partitionFields = spec?.fields ?? [];

  const columnColumns: TableColumn<ColumnRow>[] = [
    { title: 'Id', field: 'id', width: '60px' },
    { title: 'Column', field: 'name', highlight: true },
    { title: 'Type', render: c => formatIcebergType(c.type) },
    { title: 'Required', render: c => (c.required ? 'yes' : 'no') },
    {
      title: 'PII',
      render: c => (
        <>
          {c.pii.map(kind => (
            <Chip
              key={kind}
              size="small"
              label={kind}
              color="secondary"
              style={{ marginRight: 4 }}
            />
          ))}
        </>
      ),
    },
    { title: 'Description', render: c => c.doc ?? '' },
  ];

  const snapshotColumns: TableColumn<TableSnapshot>[] = [
    { title: 'Committed', render: s => formatTime(s.timestampMs) },
    {
      title: 'Snapshot',
      render: s =>
        `${s.snapshotId}${
          s.snapshotId === metadata.currentSnapshotId ? ' (current)' : ''
        }`,
    },
    { title: 'Operation', render: s => s.operation ?? '—' },
    { title: 'Added rows', render: s => formatNumber(s.addedRows) },
    { title: 'Removed rows', render: s => formatNumber(s.removedRows) },
    { title: 'Total rows', render: s => formatNumber(s.totalRows) },
    {
      title: 'Files (+/−)',
      render: s =>
        `+${formatNumber(s.addedFiles ?? 0)} / −${formatNumber(
          s.removedFiles ?? 0,
        )}`,
    },
    { title: 'Run', render: s => s.runId ?? '—' },
    {
      title: 'Summary',
      render: s => (
        <Typography variant="caption" style={{ wordBreak: 'break-all' }}>
          {Object.entries(s.summary)
            .map(([key, value]) => `${key}=${value}`)
            .join(', ')}
        </Typography>
      ),
    },
  ];

  let writtenBy: ReactNode = '—';
  if (table.pipelineId) {
    writtenBy = pipelineLink ? (
      <Link to={pipelineLink({ pipelineId: table.pipelineId })}>
        pipeline {table.pipelineId}
      </Link>
    ) : (
      table.pipelineId
    );
  }

  const properties = Object.entries(metadata.properties ?? {}).map(
    ([key, value]) => ({ key, value }),
  );

  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={5}>
        <InfoCard title={metadata.identifier}>
          <StructuredMetadataTable
            metadata={{
              rows: formatNumber(metadata.rowCount),
              size: formatBytes(metadata.sizeBytes),
              'data files': formatNumber(metadata.dataFileCount),
              snapshots: formatNumber(metadata.snapshots.length),
              'last updated': formatTime(metadata.lastUpdatedMs),
              'format version': metadata.formatVersion,
              classification: table.classification ?? '—',
              owner: table.owner,
              'written by': writtenBy,
              location: metadata.location ?? table.location ?? '—',
              catalog: metadata.discoveredIn ?? 'local SQL catalog',
            }}
          />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={7}>
        <Table<ColumnRow>
          title="Schema"
          subtitle={`Schema ${schema['schema-id'] ?? 0}, ${
            metadata.schemas.length
          } in its history`}
          options={tableOptions}
          columns={columnColumns}
          data={columns}
          emptyContent={
            <Typography style={{ padding: 16 }}>
              The table's metadata has no columns.
            </Typography>
          }
        />
      </Grid>
      <Grid item xs={12}>
        <Table<TableSnapshot>
          title="Snapshots"
          subtitle="Newest first: each is a point to time-travel to"
          options={tableOptions}
          columns={snapshotColumns}
          data={metadata.snapshots}
          emptyContent={
            <Typography style={{ padding: 16 }}>
              No snapshots: nothing has been written to this table yet.
            </Typography>
          }
        />
      </Grid>
      <Grid item xs={12} md={6}>
        <Table
          title="Partition spec"
          options={tableOptions}
          columns={[
            { title: 'Partition field', field: 'name' },
            { title: 'Transform', field: 'transform' },
            {
              title: 'Source column',
              render: (f: (typeof partitionFields)[number]) =>
                nameOfField.get(f['source-id']) ?? `#${f['source-id']}`,
            },
          ]}
          data={partitionFields}
          emptyContent={
            <Typography style={{ padding: 16 }}>Unpartitioned.</Typography>
          }
        />
      </Grid>
      <Grid item xs={12} md={6}>
        <Table
          title="Properties"
          options={tableOptions}
          columns={[
            { title: 'Property', field: 'key' },
            { title: 'Value', field: 'value' },
          ]}
          data={properties}
          emptyContent={
            <Typography style={{ padding: 16 }}>No properties.</Typography>
          }
        />
      </Grid>
    </Grid>
  );
}
