import type { FieldProblem } from '@ingestion-for-backstage/plugin-ingestion-common';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { fieldId, SpecFields } from './SpecFields';
import {
  changeSectionType,
  sectionSchema,
  sectionTypes,
  setAt,
  type SpecDraft,
  type SpecPath,
  type TypedSection,
} from './specDraft';

/**
 * The type of a typed section (source, target, a transform or a rule): a select over the types
 * the schema offers; choosing one keeps the fields both types have.
 */
export function SectionTypeSelect(props: {
  section: TypedSection;
  /** The section's path; the field is its `type`. */
  path: SpecPath;
  label: string;
  value: SpecDraft;
  /** Problems said under the field. */
  problems?: readonly FieldProblem[];
  required?: boolean;
  fullWidth?: boolean;
  disabled?: boolean;
  onChange(value: SpecDraft): void;
}) {
  const { section, value, problems = [] } = props;
  return (
    <TextField
      id={fieldId([...props.path, 'type'])}
      select
      required={props.required}
      label={props.label}
      fullWidth={props.fullWidth}
      size="small"
      variant="outlined"
      style={props.fullWidth ? undefined : { minWidth: 180 }}
      disabled={props.disabled}
      value={typeof value.type === 'string' ? value.type : ''}
      error={problems.length > 0}
      helperText={problems.map(p => p.message).join('; ') || undefined}
      onChange={e =>
        props.onChange(changeSectionType(section, value, e.target.value))
      }
    >
      {sectionTypes(section).map(type => (
        <MenuItem key={type} value={type}>
          {type}
        </MenuItem>
      ))}
    </TextField>
  );
}

/** The fields of a typed section's chosen type, or a hint to choose one. */
export function SectionFields(props: {
  section: TypedSection;
  path: SpecPath;
  value: SpecDraft;
  problems: readonly FieldProblem[];
  units?: Record<string, string>;
  disabled?: boolean;
  onChange(value: SpecDraft): void;
}) {
  const { value } = props;
  const schema = sectionSchema(props.section, value.type);
  if (!schema) {
    return (
      <Typography color="textSecondary" variant="body2">
        Choose a type to see its fields.
      </Typography>
    );
  }
  return (
    <SpecFields
      schema={schema}
      value={value}
      path={props.path}
      problems={props.problems}
      units={props.units}
      disabled={props.disabled}
      onChange={(key, next) => props.onChange(setAt(value, [key], next))}
    />
  );
}
