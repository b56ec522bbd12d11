import {
  formatPipelineSpecText,
  parsePipelineSpecText,
  type FieldProblem,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import Grid from '@material-ui/core/Grid';
import InputAdornment from '@material-ui/core/InputAdornment';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useEffect, useState } from 'react';
import {
  fieldLabel,
  pathText,
  problemsAt,
  type SchemaNode,
  type SpecPath,
} from './specDraft';

/** Units of numeric fields, shown beside the number. */
const UNITS: Record<string, string> = {
  threshold: 'share, 0–1',
  max_pages: 'pages',
  max_files_per_trigger: 'files',
  visible_characters: 'characters',
};

/** {@link fieldId} of a path given as text: `transformations[1].condition`. */
export const fieldIdOf = (path: string) =>
  `spec-field-${path.replace(/[^A-Za-z0-9_-]/g, '_')}`;

/** The DOM id of the input of the field at `path` (the problems summary links to it). */
export const fieldId = (path: SpecPath) => fieldIdOf(pathText(path));

interface FieldProps {
  name: string;
  schema: SchemaNode;
  value: unknown;
  path: SpecPath;
  required: boolean;
  problems: readonly FieldProblem[];
  unit?: string;
  disabled?: boolean;
  onChange(value: unknown): void;
}

/** Helper text of a field: its problems when it has some, else what it is for. */
function help(problems: FieldProblem[], description?: string) {
  return problems.length > 0
    ? problems.map(p => p.message).join('; ')
    : description;
}

/** A list of names typed as `a, b, c`; the text is kept while typing (a trailing comma). */
function ListField(props: FieldProps) {
  const { value, onChange } = props;
  const list = Array.isArray(value) ? value.map(String) : [];
  const joined = list.join(', ');
  const [text, setText] = useState(joined);
  const parse = (raw: string) =>
    raw
      .split(',')
      .map(part => part.trim())
      .filter(Boolean);
  useEffect(() => {
    // A change from elsewhere (YAML view, reorder) replaces the text; our own typing does not.
    setText(current =>
      parse(current).join(', ') === joined ? current : joined,
    );
  }, [joined]);
  const problems = problemsAt(props.problems, props.path);
  return (
    <TextField
      id={fieldId(props.path)}
      label={`${fieldLabel(props.name)} (comma-separated)`}
      required={props.required}
      disabled={props.disabled}
      fullWidth
      variant="outlined"
      size="small"
      value={text}
      error={problems.length > 0}
      helperText={help(problems, props.schema.description)}
      onChange={e => {
        setText(e.target.value);
        const next = parse(e.target.value);
        onChange(next.length === 0 && !props.required ? undefined : next);
      }}
    />
  );
}

/** A value the form has no widget for (a mapping, a join's dataset): YAML of that value alone. */
function YamlValueField(props: FieldProps) {
  const { value, onChange } = props;
  const formatted =
    value === undefined ? '' : formatPipelineSpecText(value).trimEnd();
  const [text, setText] = useState(formatted);
  const [syntax, setSyntax] = useState<string>();
  useEffect(() => {
    setText(current => {
      const parsed = parsePipelineSpecText(current);
      const same =
        parsed.ok &&
        formatPipelineSpecText(parsed.value).trimEnd() === formatted;
      return same ? current : formatted;
    });
  }, [formatted]);
  const problems = problemsAt(props.problems, props.path);
  return (
    <TextField
      id={fieldId(props.path)}
      label={`${fieldLabel(props.name)} (YAML)`}
      required={props.required}
      disabled={props.disabled}
      fullWidth
      multiline
      minRows={2}
      variant="outlined"
      size="small"
      value={text}
      error={Boolean(syntax) || problems.length > 0}
      helperText={syntax ?? help(problems, props.schema.description)}
      inputProps={{ style: { fontFamily: 'monospace' } }}
      onChange={e => {
        setText(e.target.value);
        if (e.target.value.trim() === '') {
          setSyntax(undefined);
          onChange(undefined);
          return;
        }
        const parsed = parsePipelineSpecText(e.target.value);
        if (parsed.ok) {
          setSyntax(undefined);
          onChange(parsed.value);
        } else {
          setSyntax(parsed.problems[0]?.message);
        }
      }}
    />
  );
}

/** One field of a spec section, by its JSON Schema: a choice, a text, a number or a list. */
export function SpecField(props: FieldProps) {
  const { name, schema, value, path, required, onChange } = props;
  const problems = problemsAt(props.problems, path);
  const common = {
    id: fieldId(path),
    label: fieldLabel(name),
    required,
    disabled: props.disabled,
    fullWidth: true,
    variant: 'outlined' as const,
    size: 'small' as const,
    error: problems.length > 0,
    helperText: help(problems, schema.description),
  };
  const choices =
    schema.enum ?? (schema.type === 'boolean' ? [true, false] : undefined);
  if (choices) {
    return (
      <TextField
        {...common}
        select
        value={value === undefined ? '' : String(value)}
        onChange={e => {
          const picked = choices.find(c => String(c) === e.target.value);
          onChange(picked);
        }}
      >
        {!required && (
          <MenuItem value="">
            <em>
              {schema.default !== undefined
                ? `default (${String(schema.default)})`
                : 'not set'}
            </em>
          </MenuItem>
        )}
        {choices.map(choice => (
          <MenuItem key={String(choice)} value={String(choice)}>
            {String(choice)}
          </MenuItem>
        ))}
      </TextField>
    );
  }
  if (schema.type === 'number' || schema.type === 'integer') {
    const unit = props.unit ?? UNITS[name];
    return (
      <TextField
        {...common}
        type="number"
        value={typeof value === 'number' ? String(value) : ''}
        inputProps={{
          min: schema.minimum,
          max: schema.maximum,
          step: schema.type === 'integer' ? 1 : 'any',
        }}
        InputProps={
          unit
            ? {
                endAdornment: (
                  <InputAdornment position="end">{unit}</InputAdornment>
                ),
              }
            : undefined
        }
        onChange={e =>
          onChange(e.target.value === '' ? undefined : Number(e.target.value))
        }
      />
    );
  }
  if (schema.type === 'string') {
    return (
      <TextField
        {...common}
        value={typeof value === 'string' ? value : ''}
        onChange={e =>
          onChange(
            e.target.value === '' && !required ? undefined : e.target.value,
          )
        }
      />
    );
  }
  if (schema.type === 'array' && schema.items?.type === 'string') {
    return <ListField {...props} />;
  }
  return <YamlValueField {...props} />;
}

/**
 * Every field of a typed section (a source, a transform…) but its `type`, laid out in a grid.
 * `units` gives units for numbers whose unit depends on the section (a row count's min).
 */
export function SpecFields(props: {
  schema: SchemaNode;
  value: Record<string, unknown>;
  path: SpecPath;
  problems: readonly FieldProblem[];
  units?: Record<string, string>;
  disabled?: boolean;
  onChange(key: string, value: unknown): void;
}) {
  const { schema, value, path } = props;
  const entries = Object.entries(schema.properties ?? {}).filter(
    ([key]) => key !== 'type',
  );
  return (
    <Grid container spacing={2}>
      {entries.map(([key, field]) => {
        const wide =
          field.type !== 'number' &&
          field.type !== 'integer' &&
          field.type !== 'boolean' &&
          !field.enum;
        return (
          <Grid item xs={12} md={wide ? 6 : 3} key={key}>
            <SpecField
              name={key}
              schema={field}
              value={value[key]}
              path={[...path, key]}
              required={schema.required?.includes(key) ?? false}
              problems={props.problems}
              unit={props.units?.[key]}
              disabled={props.disabled}
              onChange={next => props.onChange(key, next)}
            />
          </Grid>
        );
      })}
    </Grid>
  );
}
