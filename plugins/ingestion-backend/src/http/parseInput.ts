import { InputError } from '@backstage/errors';
import type { z } from 'zod';

/**
 * Parses a route's query, body or path parameters with a zod schema, or throws one InputError (400)
 * that names each field with its problem: `month: required; limit: must be an integer from 1 to
 * 500`; path parameters are named under `path` (`path.organizationId: …`). A query parameter given
 * twice arrives as an array, hence "must be given once".
 */
export function parseInput<T extends z.ZodTypeAny>(
  schema: T,
  input: unknown,
  where: 'query' | 'body' | 'path',
): z.infer<T> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) {
    return parsed.data;
  }
  const problems = parsed.error.issues.flatMap(issue => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map(
        key => `${key}: unknown ${where === 'query' ? 'parameter' : 'field'}`,
      );
    }
    const field = issue.path.map(String).join('.');
    const path =
      where === 'path'
        ? ['path', field].filter(Boolean).join('.')
        : field || where;
    if (issue.code === 'invalid_type' && where === 'query') {
      const given = (input as Record<string, unknown> | undefined)?.[
        String(issue.path[0])
      ];
      return [
        given === undefined
          ? `${path}: required`
          : `${path}: must be given once, as a string`,
      ];
    }
    return [`${path}: ${issue.message}`];
  });
  throw new InputError(problems.join('; '));
}
