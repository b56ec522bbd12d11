import { InfoCard, Table, type TableColumn } from '@backstage/core-components';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import WarningIcon from '@material-ui/icons/Warning';
import type {
  PreviewColumn,
  PreviewRuleResult,
  SpecPreview,
} from '../../api/EditorApi';
import { formatDuration, formatNumber } from '../common/format';

const rows = (n: number) => `${formatNumber(n)} row${n === 1 ? '' : 's'}`;

/** A preview's duration: milliseconds below a second. */
export function formatElapsed(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : formatDuration(ms);
}

function formatMetric(value: number | string | undefined): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'string') return value;
  return value.toLocaleString('en-US', { maximumFractionDigits: 4 });
}

/** A cell of the output: text as it is, anything else as JSON; null as an empty-set sign. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function RuleOutcome(props: { rule: PreviewRuleResult }) {
  const { rule } = props;
  if (rule.passed) {
    return (
      <Chip
        size="small"
        icon={<CheckCircleIcon style={{ color: '#2e7d32' }} />}
        label="Passed"
        variant="outlined"
      />
    );
  }
  const warn = rule.severity === 'warn';
  return (
    <Chip
      size="small"
      icon={
        warn ? (
          <WarningIcon style={{ color: '#ed6c02' }} />
        ) : (
          <ErrorIcon style={{ color: '#d32f2f' }} />
        )
      }
      label={warn ? 'Failed (warning)' : 'Failed'}
      variant="outlined"
    />
  );
}

/** A rule's name on one line, cut with an ellipsis at its column's width; whole in its tooltip. */
function RuleName(props: { name: string }) {
  return (
    <Tooltip title={props.name} placement="top-start">
      <Typography variant="body2" noWrap>
        {props.name}
      </Typography>
    </Tooltip>
  );
}

/** Short values (severity, the outcome chip, numbers) stay on one line. */
const oneLine = { whiteSpace: 'nowrap' } as const;

/**
 * Column widths of the rules table (laid out fixed, so they hold): the short values get what their
 * header and the widest chip need; the name (an identifier, cut only when long) and the message
 * (prose, which wraps) share the rest.
 */
const SHORT_COLUMNS_PX = 100 + 160 + 115 + 125;
const shareOfRest = (share: number) =>
  `calc((100% - ${SHORT_COLUMNS_PX}px) * ${share})`;

const ruleColumns: TableColumn<PreviewRuleResult>[] = [
  {
    title: 'Rule',
    field: 'name',
    width: shareOfRest(0.6),
    render: r => <RuleName name={r.name} />,
  },
  { title: 'Severity', field: 'severity', width: '100px', cellStyle: oneLine },
  {
    title: 'Result',
    width: '160px',
    render: r => <RuleOutcome rule={r} />,
    cellStyle: oneLine,
  },
  {
    title: 'Measured',
    width: '115px',
    render: r => formatMetric(r.metric),
    cellStyle: oneLine,
  },
  {
    title: 'Threshold',
    width: '125px',
    render: r => formatMetric(r.threshold),
    cellStyle: oneLine,
  },
  { title: 'Message', width: shareOfRest(0.4), render: r => r.message ?? '' },
];

const schemaColumns: TableColumn<PreviewColumn>[] = [
  { title: 'Column', field: 'name' },
  {
    title: 'Type',
    render: c => (c.nullable ? c.type : `${c.type} NOT NULL`),
  },
];

/** What a preview found: counts and time, each rule's result, PII, the schema and the rows. */
export function PreviewResult(props: { preview: SpecPreview }) {
  const { preview } = props;
  const failed = preview.quality.filter(rule => !rule.passed);
  const rowColumns: TableColumn<Record<string, unknown>>[] = preview.schema.map(
    column => ({
      title: column.name,
      render: row => cell(row[column.name]),
    }),
  );
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Typography aria-label="Preview summary">
          Read {rows(preview.sampleRows)} from the source; the draft output{' '}
          {rows(preview.outputRows)} in {formatElapsed(preview.elapsedMs)}.
          {preview.truncated &&
            ' The source has more rows than the sample (or the output more than is shown).'}{' '}
          {preview.quality.length > 0 &&
            (failed.length === 0
              ? `${
                  preview.quality.length === 1
                    ? 'The quality rule'
                    : `All ${preview.quality.length} quality rules`
                } passed.`
              : `${failed.length} of ${preview.quality.length} quality rule${
                  preview.quality.length === 1 ? '' : 's'
                } failed.`)}
        </Typography>
      </Grid>
      <Grid item xs={12}>
        <Table<PreviewRuleResult>
          title="Quality rules on the sample"
          columns={ruleColumns}
          data={preview.quality}
          options={{
            paging: false,
            search: false,
            padding: 'dense',
            tableLayout: 'fixed',
          }}
          emptyContent={
            <Typography style={{ padding: 16 }}>
              The draft has no quality rules.
            </Typography>
          }
        />
      </Grid>
      <Grid item xs={12} md={4}>
        <InfoCard title="Personal data found">
          {preview.pii.length === 0 ? (
            <Typography>No personal data found in the sample.</Typography>
          ) : (
            <div
              aria-label="Personal data found"
              style={{ display: 'flex', flexWrap: 'wrap', gap: 8 }}
            >
              {preview.pii.map(found => (
                <Chip
                  key={`${found.column}:${found.kind}`}
                  size="small"
                  color={found.masked ? 'default' : 'secondary'}
                  label={`${found.column}: ${found.kind}${
                    found.masked ? ' (masked)' : ''
                  }`}
                />
              ))}
            </div>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={8}>
        <Table<PreviewColumn>
          title="Output schema"
          columns={schemaColumns}
          data={preview.schema}
          options={{ paging: false, search: false, padding: 'dense' }}
        />
      </Grid>
      <Grid item xs={12}>
        <Table<Record<string, unknown>>
          title={`Output rows (${rows(preview.rows.length)} shown)`}
          columns={rowColumns}
          data={preview.rows}
          options={{
            paging: preview.rows.length > 10,
            pageSize: 10,
            pageSizeOptions: [10, 50, 100],
            search: false,
            padding: 'dense',
          }}
          emptyContent={
            <Typography style={{ padding: 16 }}>
              The draft outputs no rows from this sample.
            </Typography>
          }
        />
      </Grid>
    </Grid>
  );
}
