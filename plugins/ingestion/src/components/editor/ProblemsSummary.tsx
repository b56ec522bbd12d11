import type { FieldProblem } from '@ingestion-for-backstage/plugin-ingestion-common';
import Link from '@material-ui/core/Link';
import Typography from '@material-ui/core/Typography';
import { WarningPanel } from '@backstage/core-components';
import { fieldIdOf } from './SpecFields';

/**
 * Focuses the form field of a problem's path, or of the nearest enclosing part that has a field
 * (`transformations[1].columns[0]` → `transformations[1].columns`).
 */
export function focusProblemField(path: string): boolean {
  let rest = path;
  while (rest) {
    const element = document.getElementById(fieldIdOf(rest));
    if (element) {
      element.focus();
      element.scrollIntoView?.({ block: 'center', behavior: 'smooth' });
      return true;
    }
    const cut = Math.max(rest.lastIndexOf('.'), rest.lastIndexOf('['));
    rest = cut > 0 ? rest.slice(0, cut) : '';
  }
  return false;
}

/** Every problem of the draft, by path; a path is a link to its field when the form is shown. */
export function ProblemsSummary(props: {
  problems: readonly FieldProblem[];
  /** Whether the fields exist in the page (the form tab is open). */
  linkToFields: boolean;
}) {
  const { problems } = props;
  if (problems.length === 0) return null;
  return (
    <WarningPanel
      severity="error"
      defaultExpanded
      title={`${problems.length} problem${
        problems.length === 1 ? '' : 's'
      } in the spec`}
    >
      <ul
        aria-label="Problems in the spec"
        style={{ margin: 0, paddingLeft: 20 }}
      >
        {problems.map(problem => (
          <li key={`${problem.path}:${problem.message}`}>
            <Typography variant="body2" component="span">
              {problem.path && props.linkToFields ? (
                <Link
                  component="button"
                  variant="body2"
                  onClick={() => focusProblemField(problem.path)}
                >
                  {problem.path}
                </Link>
              ) : (
                <code>{problem.path || 'spec'}</code>
              )}
              : {problem.message}
            </Typography>
          </li>
        ))}
      </ul>
    </WarningPanel>
  );
}
