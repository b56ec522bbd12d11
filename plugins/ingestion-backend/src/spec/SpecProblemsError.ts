import { InputError } from '@backstage/errors';
import type { FieldProblem } from '@ingestion-for-backstage/plugin-ingestion-common';

/** A 400 that lists every problem of a spec or body, each with its path. */
export class SpecProblemsError extends InputError {
  constructor(readonly problems: FieldProblem[], prefix = 'spec') {
    const shown = problems
      .slice(0, 5)
      .map(p => `${p.path}: ${p.message}`)
      .join('; ');
    const more = problems.length > 5 ? '; …' : '';
    const plural = problems.length === 1 ? '' : 's';
    super(`${problems.length} problem${plural} in ${prefix}: ${shown}${more}`);
  }
}
