import { InfoCard } from '@backstage/core-components';
import type {
  FieldProblem,
  PipelineDetails,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import Typography from '@material-ui/core/Typography';
import { useEffect, useState, type ReactNode } from 'react';
import { serverMessage, specProblems } from '../../api/EditorApi';
import { errorStatus } from '../common/ApiErrorPanel';
import { PreviewPanel } from './PreviewPanel';
import { ProblemsSummary } from './ProblemsSummary';
import { SaveDialog } from './SaveDialog';
import { SpecForm } from './SpecForm';
import type { SpecDraft } from './specDraft';
import { useSpecDraft } from './useSpecDraft';
import { YamlView } from './YamlView';

type View = 'form' | 'yaml';

/** What the editor's toolbar says about the draft's checks. */
function CheckStatus(props: {
  problems: number;
  yamlInvalid: boolean;
  serverChecked: boolean;
  serverError?: Error;
}) {
  let text: string;
  if (props.yamlInvalid) text = 'The YAML does not parse.';
  else if (props.problems > 0)
    text = `${props.problems} problem${
      props.problems === 1 ? '' : 's'
    } to fix before saving.`;
  else if (props.serverError)
    text = `No problems found here; the server could not check the draft (${props.serverError.message}).`;
  else if (!props.serverChecked) text = 'Checking the draft…';
  else text = 'No problems: the server accepts this spec.';
  return (
    <Typography
      variant="body2"
      role="status"
      color={
        props.problems > 0 || props.yamlInvalid ? 'error' : 'textSecondary'
      }
    >
      {text}
    </Typography>
  );
}

/**
 * The editor of one spec: form and YAML views of one draft, problems on their fields and in a
 * summary, preview on a sample, and saving after a diff. Creating and editing both use it.
 */
export function SpecEditor(props: {
  initial: SpecDraft;
  organization: string;
  /** The current version, for the diff; absent for a new pipeline. */
  current?: { spec: unknown; version: number };
  /** Above the views: a notice, the new pipeline's name… */
  children?: ReactNode;
  /** Extra reasons not to save yet (a missing name), shown beside the button. */
  blocker?: string;
  save(draft: SpecDraft, comment: string): Promise<PipelineDetails>;
  onSaved(pipeline: PipelineDetails): void;
  onCancel(): void;
}) {
  const { current, organization } = props;
  const state = useSpecDraft(props.initial, organization);
  const [view, setView] = useState<View>('form');
  const [saving, setSaving] = useState(false);
  const [dialog, setDialog] = useState<{ error?: string }>();
  const yamlInvalid = state.yamlProblems.length > 0;
  const canSave =
    !yamlInvalid &&
    state.problems.length === 0 &&
    !props.blocker &&
    (state.dirty || !current);

  useEffect(() => {
    // Ctrl/Cmd+S opens the diff, as editors do.
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key === 's') {
        event.preventDefault();
        if (canSave) setDialog({});
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [canSave]);

  const save = async (comment: string) => {
    setSaving(true);
    try {
      const saved = await props.save(state.draft, comment);
      setDialog(undefined);
      props.onSaved(saved);
    } catch (e) {
      const problems = specProblems(e);
      if (problems && problems.length > 0) {
        state.setReported(problems);
        setDialog(undefined);
      } else if (errorStatus(e) === 409) {
        setDialog({
          error: `Not saved: someone saved a new version of this pipeline meanwhile (${serverMessage(
            e,
          )}). Copy your YAML, reload the editor and apply your change again.`,
        });
      } else {
        setDialog({ error: `Not saved: ${serverMessage(e)}` });
      }
    } finally {
      setSaving(false);
    }
  };

  const report = (problems: FieldProblem[]) => state.setReported(problems);

  return (
    <Grid container spacing={3}>
      {props.children && (
        <Grid item xs={12}>
          {props.children}
        </Grid>
      )}
      <Grid item xs={12}>
        <Box display="flex" alignItems="center" style={{ gap: 16 }}>
          <Box flexGrow={1}>
            <CheckStatus
              problems={state.problems.length}
              yamlInvalid={yamlInvalid}
              serverChecked={state.serverChecked}
              serverError={state.serverError}
            />
            {props.blocker && (
              <Typography variant="body2" color="error">
                {props.blocker}
              </Typography>
            )}
          </Box>
          <Button onClick={props.onCancel}>Cancel</Button>
          <Button
            variant="contained"
            color="primary"
            disabled={!canSave}
            onClick={() => setDialog({})}
          >
            {current ? 'Review and save' : 'Review and create'}
          </Button>
        </Box>
      </Grid>
      {state.problems.length > 0 && (
        <Grid item xs={12}>
          <ProblemsSummary
            problems={state.problems}
            linkToFields={view === 'form'}
          />
        </Grid>
      )}
      <Grid item xs={12}>
        <Tabs
          value={view}
          onChange={(_, next: View) => setView(next)}
          indicatorColor="primary"
          aria-label="Spec views"
        >
          <Tab value="form" label="Form" />
          <Tab value="yaml" label="YAML" />
        </Tabs>
      </Grid>
      <Grid item xs={12}>
        {view === 'form' ? (
          <>
            {yamlInvalid && (
              <Typography color="error" gutterBottom>
                The YAML view has a syntax error (line{' '}
                {state.yamlProblems[0]?.location?.line ?? '?'}); this form shows
                the last spec that parsed, and editing it replaces the YAML.
              </Typography>
            )}
            <SpecForm
              draft={state.draft}
              problems={state.problems}
              onChange={state.setDraft}
            />
          </>
        ) : (
          <YamlView
            text={state.text}
            problems={state.yamlProblems}
            onChange={state.setText}
          />
        )}
      </Grid>
      <Grid item xs={12}>
        <InfoCard title="Preview on a sample">
          <PreviewPanel
            organization={organization}
            draft={state.draft}
            disabled={yamlInvalid}
            onProblems={report}
          />
        </InfoCard>
      </Grid>
      {dialog && (
        <SaveDialog
          open
          before={current?.spec}
          currentVersion={current?.version}
          after={state.draft}
          busy={saving}
          error={dialog.error}
          onSave={save}
          onClose={() => setDialog(undefined)}
        />
      )}
    </Grid>
  );
}
