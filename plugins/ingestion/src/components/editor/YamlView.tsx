import { WarningPanel } from '@backstage/core-components';
import type { SpecProblem } from '@ingestion-for-backstage/plugin-ingestion-common';
import TextField from '@material-ui/core/TextField';

/**
 * The draft as YAML. Text that does not parse stays as typed, with its line and column, and the
 * form keeps the last valid draft until the text parses again.
 */
export function YamlView(props: {
  text: string;
  problems: readonly SpecProblem[];
  disabled?: boolean;
  onChange(text: string): void;
}) {
  const { text, problems } = props;
  return (
    <div>
      {problems.length > 0 && (
        <WarningPanel
          severity="error"
          defaultExpanded
          title="The YAML does not parse; the form keeps the last valid spec until it does."
        >
          <ul style={{ margin: 0, paddingLeft: 20 }}>
            {problems.map(problem => (
              <li key={`${problem.location?.line}:${problem.message}`}>
                {problem.location
                  ? `Line ${problem.location.line}, column ${problem.location.column}: `
                  : ''}
                {problem.message}
              </li>
            ))}
          </ul>
        </WarningPanel>
      )}
      <TextField
        id="spec-yaml"
        label="Spec (YAML)"
        fullWidth
        multiline
        minRows={20}
        variant="outlined"
        disabled={props.disabled}
        value={text}
        error={problems.length > 0}
        inputProps={{
          spellCheck: false,
          style: { fontFamily: 'monospace', fontSize: 13, lineHeight: 1.5 },
        }}
        onChange={e => props.onChange(e.target.value)}
      />
    </div>
  );
}
