import { InfoCard } from '@backstage/core-components';
import type { FieldProblem } from '@ingestion-for-backstage/plugin-ingestion-common';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { SectionFields, SectionTypeSelect } from './SectionTypeSelect';
import { fieldId } from './SpecFields';
import { SpecListCard } from './SpecListEditor';
import {
  isRecord,
  pathText,
  problemsAt,
  setAt,
  type SpecDraft,
  type SpecPath,
} from './specDraft';

type Section = 'source' | 'target';

function TextInput(props: {
  path: SpecPath;
  label: string;
  value: string;
  problems: readonly FieldProblem[];
  description?: string;
  disabled?: boolean;
  onChange(value: string): void;
}) {
  const problems = problemsAt(props.problems, props.path);
  return (
    <TextField
      id={fieldId(props.path)}
      label={props.label}
      fullWidth
      size="small"
      variant="outlined"
      disabled={props.disabled}
      value={props.value}
      error={problems.length > 0}
      helperText={
        problems.length > 0
          ? problems.map(p => p.message).join('; ')
          : props.description
      }
      onChange={e => props.onChange(e.target.value)}
    />
  );
}

/** The schedule as two fields; written as a cron string in UTC, or as `{cron, timezone}`. */
function scheduleParts(schedule: unknown): { cron: string; timezone: string } {
  if (typeof schedule === 'string') return { cron: schedule, timezone: '' };
  if (isRecord(schedule)) {
    return {
      cron: typeof schedule.cron === 'string' ? schedule.cron : '',
      timezone: typeof schedule.timezone === 'string' ? schedule.timezone : '',
    };
  }
  return { cron: '', timezone: '' };
}

/** A schedule written as it was: a mapping stays a mapping, a string in UTC stays a string. */
function writeSchedule(
  cron: string,
  timezone: string,
  current: unknown,
): unknown {
  if (!cron && !timezone) return undefined;
  if (isRecord(current) || (timezone && timezone !== 'UTC')) {
    return timezone ? { cron, timezone } : { cron };
  }
  return cron;
}

function TypedSectionCard(props: {
  section: Section;
  title: string;
  value: unknown;
  problems: readonly FieldProblem[];
  disabled?: boolean;
  onChange(value: unknown): void;
}) {
  const { section } = props;
  const record = isRecord(props.value) ? props.value : {};
  return (
    <InfoCard title={props.title}>
      <Grid container spacing={2}>
        <Grid item xs={12} md={4}>
          <SectionTypeSelect
            section={section}
            path={[section]}
            required
            fullWidth
            label={`${props.title} type`}
            value={record}
            problems={[
              ...props.problems.filter(p => p.path === section),
              ...problemsAt(props.problems, [section, 'type']),
            ]}
            disabled={props.disabled}
            onChange={props.onChange}
          />
        </Grid>
        <Grid item xs={12}>
          <SectionFields
            section={section}
            path={[section]}
            value={record}
            problems={props.problems}
            disabled={props.disabled}
            onChange={props.onChange}
          />
        </Grid>
      </Grid>
    </InfoCard>
  );
}

/**
 * The spec as a form: mode and schedule, source, transforms (reorderable), target and quality
 * rules. Every field shows the problems whose path names it.
 */
export function SpecForm(props: {
  draft: SpecDraft;
  problems: readonly FieldProblem[];
  disabled?: boolean;
  onChange(draft: SpecDraft): void;
}) {
  const { draft, problems, disabled, onChange } = props;
  const set = (path: SpecPath, value: unknown) =>
    onChange(setAt(draft, path, value));
  const schedule = scheduleParts(draft.schedule);
  const streaming = draft.pipeline_type === 'streaming';
  const modeProblems = problemsAt(problems, ['pipeline_type']);
  const trigger = isRecord(draft.trigger) ? draft.trigger : {};
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <InfoCard title="Mode and schedule">
          <Grid container spacing={2}>
            <Grid item xs={12} md={3}>
              <TextField
                id={fieldId(['pipeline_type'])}
                select
                required
                label="Pipeline type"
                fullWidth
                size="small"
                variant="outlined"
                disabled={disabled}
                value={
                  typeof draft.pipeline_type === 'string'
                    ? draft.pipeline_type
                    : ''
                }
                error={modeProblems.length > 0}
                helperText={modeProblems.map(p => p.message).join('; ')}
                onChange={e => set(['pipeline_type'], e.target.value)}
              >
                <MenuItem value="batch">batch</MenuItem>
                <MenuItem value="streaming">streaming</MenuItem>
              </TextField>
            </Grid>
            <Grid item xs={12} md={5}>
              <TextInput
                path={['schedule']}
                label="Schedule (cron)"
                description="minute hour day-of-month month day-of-week, e.g. 0 2 * * *; empty for on demand"
                value={schedule.cron}
                problems={problems.filter(
                  p => p.path !== pathText(['schedule', 'timezone']),
                )}
                disabled={disabled}
                onChange={cron =>
                  set(
                    ['schedule'],
                    writeSchedule(cron, schedule.timezone, draft.schedule),
                  )
                }
              />
            </Grid>
            <Grid item xs={12} md={4}>
              <TextInput
                path={['schedule', 'timezone']}
                label="Time zone"
                description="IANA name, e.g. Europe/Paris; UTC when empty"
                value={schedule.timezone}
                problems={problems.filter(
                  p => p.path !== pathText(['schedule']),
                )}
                disabled={disabled}
                onChange={timezone =>
                  set(
                    ['schedule'],
                    writeSchedule(schedule.cron, timezone, draft.schedule),
                  )
                }
              />
            </Grid>
            {(streaming || draft.trigger !== undefined) && (
              <Grid item xs={12} md={5}>
                <TextInput
                  path={['trigger', 'interval']}
                  label="Micro-batch interval"
                  description='streaming only, e.g. "30 seconds"'
                  value={
                    typeof trigger.interval === 'string' ? trigger.interval : ''
                  }
                  problems={problems}
                  disabled={disabled}
                  onChange={interval =>
                    set(['trigger'], interval ? { interval } : undefined)
                  }
                />
              </Grid>
            )}
          </Grid>
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <TypedSectionCard
          section="source"
          title="Source"
          value={draft.source}
          problems={problems}
          disabled={disabled}
          onChange={value => set(['source'], value)}
        />
      </Grid>
      <Grid item xs={12}>
        <SpecListCard
          listKey="transformations"
          draft={draft}
          problems={problems}
          disabled={disabled}
          onChange={onChange}
        />
      </Grid>
      <Grid item xs={12}>
        <TypedSectionCard
          section="target"
          title="Target"
          value={draft.target}
          problems={problems}
          disabled={disabled}
          onChange={value => set(['target'], value)}
        />
      </Grid>
      <Grid item xs={12}>
        <SpecListCard
          listKey="data_quality"
          draft={draft}
          problems={problems}
          disabled={disabled}
          onChange={onChange}
        />
      </Grid>
    </Grid>
  );
}
