import { InputError } from '@backstage/errors';
import {
  validatePipelineSpec,
  type OrganizationResources,
  type PipelineSpec,
  type SpecProblem,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/** The spec's problems as one input error, every problem on its own line with its path. */
export function specProblemsError(problems: SpecProblem[]): InputError {
  const lines = problems.map(p =>
    `- spec.${p.path || '(root)'}: ${p.message}`.replace('spec.(root)', 'spec'),
  );
  return new InputError(
    `The pipeline spec has ${problems.length} problem${
      problems.length === 1 ? '' : 's'
    }:\n${lines.join('\n')}`,
  );
}

/**
 * Validates a built spec, reporting every problem at once. With the organization, the catalogs
 * and storage locations the spec names must be its own (the rule the backend and the engines
 * apply too).
 *
 * @throws InputError listing each problem as `spec.<path>: <message>`.
 */
export function requireValidSpec(
  spec: unknown,
  organization?: OrganizationResources,
): PipelineSpec {
  const result = validatePipelineSpec(spec, { organization });
  if (!result.valid) {
    throw specProblemsError(result.problems);
  }
  return result.spec;
}
