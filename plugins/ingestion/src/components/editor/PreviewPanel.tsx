import {
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type { FieldProblem } from '@ingestion-for-backstage/plugin-ingestion-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import InputAdornment from '@material-ui/core/InputAdornment';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import {
  editorApiRef,
  serverMessage,
  specProblems,
  type SpecPreview,
} from '../../api/EditorApi';
import { ApiErrorPanel, errorStatus } from '../common/ApiErrorPanel';
import { PreviewResult } from './PreviewResult';

export const MAX_SAMPLE_ROWS = 1000;

const formatRows = (n: number) =>
  `${n.toLocaleString('en-US')} row${n === 1 ? '' : 's'}`;

type PreviewState =
  | { kind: 'idle' }
  | { kind: 'running'; sampleRows: number }
  | { kind: 'done'; preview: SpecPreview }
  | { kind: 'problems'; count: number }
  | { kind: 'failed'; error: Error };

function PreviewError(props: { error: Error }) {
  const { error } = props;
  const status = errorStatus(error);
  if (status === 422 || status === 502) {
    return (
      <WarningPanel
        severity="error"
        defaultExpanded
        title="The source could not be read"
      >
        <Typography variant="body2">
          {serverMessage(error)}. Check the source settings and the
          organization's connection, then preview again.
        </Typography>
      </WarningPanel>
    );
  }
  if (status === 408 || status === 504) {
    return (
      <WarningPanel
        severity="warning"
        defaultExpanded
        title="The preview took longer than its time limit"
      >
        <Typography variant="body2">
          {serverMessage(error)}. Try a smaller sample.
        </Typography>
      </WarningPanel>
    );
  }
  if (status === 403 || status === 404) {
    return (
      <ApiErrorPanel error={error} resource="Preview in this organization" />
    );
  }
  return <ResponseErrorPanel error={error} />;
}

/**
 * Preview on a sample: the local engine runs the draft on the first N rows of its source
 * (nothing is written, nothing is charged beyond the sample) and shows what came out.
 */
export function PreviewPanel(props: {
  organization: string;
  draft: unknown;
  /** The YAML does not parse: the draft is not what the user sees. */
  disabled?: boolean;
  /** Problems a 400 named, to show on their fields. */
  onProblems(problems: FieldProblem[]): void;
}) {
  const editorApi = useApi(editorApiRef);
  const [sampleText, setSampleText] = useState('100');
  const [state, setState] = useState<PreviewState>({ kind: 'idle' });
  const sampleRows = Number(sampleText);
  const sampleValid =
    Number.isInteger(sampleRows) &&
    sampleRows >= 1 &&
    sampleRows <= MAX_SAMPLE_ROWS;

  const run = async () => {
    setState({ kind: 'running', sampleRows });
    try {
      const preview = await editorApi.previewSpec({
        organization: props.organization,
        spec: props.draft,
        sampleRows,
      });
      setState({ kind: 'done', preview });
    } catch (e) {
      const problems = specProblems(e);
      if (problems) {
        props.onProblems(problems);
        setState({ kind: 'problems', count: problems.length });
      } else {
        setState({ kind: 'failed', error: e as Error });
      }
    }
  };

  return (
    <div>
      <Box display="flex" alignItems="flex-start" mb={2} style={{ gap: 16 }}>
        <TextField
          id="preview-sample-rows"
          label="Sample size"
          type="number"
          size="small"
          variant="outlined"
          value={sampleText}
          error={!sampleValid}
          helperText={
            sampleValid
              ? 'the first rows of the source'
              : `a whole number from 1 to ${MAX_SAMPLE_ROWS}`
          }
          inputProps={{ min: 1, max: MAX_SAMPLE_ROWS, step: 1 }}
          InputProps={{
            endAdornment: <InputAdornment position="end">rows</InputAdornment>,
          }}
          onChange={e => setSampleText(e.target.value)}
        />
        <Button
          variant="contained"
          color="primary"
          disabled={props.disabled || !sampleValid || state.kind === 'running'}
          onClick={run}
        >
          Preview on a sample
        </Button>
      </Box>
      {state.kind === 'idle' && (
        <Typography color="textSecondary">
          Runs the draft on the local engine without writing anything: you see
          the output rows, their schema, personal data found and each quality
          rule's result.
        </Typography>
      )}
      {state.kind === 'running' && (
        <div aria-busy="true">
          <Typography gutterBottom>
            Running the draft on the first {formatRows(state.sampleRows)} of the
            source…
          </Typography>
          <Progress />
        </div>
      )}
      {state.kind === 'problems' && (
        <Typography color="error" role="alert">
          The server found {state.count} problem{state.count === 1 ? '' : 's'}{' '}
          in the draft; they are shown on their fields. Fix them and preview
          again.
        </Typography>
      )}
      {state.kind === 'failed' && <PreviewError error={state.error} />}
      {state.kind === 'done' && <PreviewResult preview={state.preview} />}
    </div>
  );
}
