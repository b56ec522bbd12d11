import { z } from 'zod';
import { closestMatch } from '../expression/suggest';
import { inlineSecretMessage, isSecretKey } from './secrets';
import { oneOf, quoted } from './text';

/**
 * One problem in a pipeline spec.
 * @public
 */
export interface SpecProblem {
  /** Where the problem is, e.g. `transformations[1].group_by[0]`; empty for the spec itself. */
  path: string;
  /** What is wrong and what to write instead. */
  message: string;
  /** Line and column (from 1) in the spec text, when the spec was given as YAML or JSON text. */
  location?: { line: number; column: number };
  /** Position inside the expression string, for problems in an expression. */
  expression?: { offset: number; line: number; column: number };
}

type PathSegment = PropertyKey;
type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Formats a path as in JavaScript: `transformations[1].group_by[0]`; keys that are not plain
 * names are bracketed and quoted (`params["page size"]`).
 * @public
 */
export function formatSpecPath(path: readonly PathSegment[]): string {
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') {
        return `[${segment}]`;
      }
      const key = String(segment);
      if (!PLAIN_KEY.test(key)) {
        return `[${JSON.stringify(key)}]`;
      }
      return index === 0 ? key : `.${key}`;
    })
    .join('');
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping of keys to values',
  record: 'a mapping of keys to values',
  literal: 'a fixed value',
};

function describeValue(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (typeof value === 'object') {
    return 'a mapping';
  }
  return `${typeof value} ${quoted(value)}`;
}

/** What the part of the spec at `path` is called in messages, e.g. "transformation". */
function subjectOf(path: readonly PathSegment[]): string {
  const names: Record<string, string> = {
    source: 'source',
    transformations: 'transformation',
    target: 'target',
    data_quality: 'data quality rule',
    dataset: 'dataset',
    pagination: 'pagination',
  };
  const named = [...path]
    .reverse()
    .find(
      (segment): segment is string =>
        typeof segment === 'string' && segment in names,
    );
  return named ? names[named] : 'item';
}

function lastKey(path: readonly PathSegment[]): string {
  const key = [...path].reverse().find(s => typeof s === 'string');
  return key === undefined ? 'this value' : `\`${String(key)}\``;
}

const withSuggestion = (
  message: string,
  value: unknown,
  candidates: readonly unknown[],
) => {
  const suggestion =
    typeof value === 'string'
      ? closestMatch(
          value,
          candidates.filter((c): c is string => typeof c === 'string'),
        )
      : undefined;
  return suggestion ? `${message} (did you mean \`${suggestion}\`?)` : message;
};

/** Size messages by what is measured. */
function sizeMessage(
  issue: Extract<RawIssue, { code: 'too_small' | 'too_big' }>,
): string {
  const small = issue.code === 'too_small';
  const limit = Number(small ? issue.minimum : issue.maximum);
  const bound = small ? 'at least' : 'at most';
  if (issue.origin === 'array' || issue.origin === 'set') {
    return `list ${bound} ${limit} item${limit === 1 ? '' : 's'}`;
  }
  if (issue.origin === 'string') {
    return small && limit === 1
      ? 'must not be empty'
      : `must have ${bound} ${limit} characters`;
  }
  const strictBound = small ? 'more than' : 'less than';
  return `must be ${issue.inclusive === false ? strictBound : bound} ${limit}`;
}

/**
 * Messages for issues whose schema gives none: what is wrong, in the spec's words, and what
 * to write instead. Returning undefined keeps zod's own message.
 */
const MESSAGES: {
  [C in RawIssue['code']]?: (issue: Extract<RawIssue, { code: C }>) => string;
} = {
  invalid_type: issue => {
    const atRoot = !issue.path?.length;
    if (atRoot && (issue.input === undefined || issue.input === null)) {
      return 'the spec is empty';
    }
    if (issue.input === undefined) {
      return `${lastKey(issue.path ?? [])} is required`;
    }
    return `expected ${
      TYPE_NAMES[issue.expected] ?? issue.expected
    } but got ${describeValue(issue.input)}`;
  },
  invalid_value: issue =>
    issue.input === undefined
      ? `${lastKey(issue.path ?? [])} is required: use ${oneOf(issue.values)}`
      : withSuggestion(
          `${quoted(issue.input)} is not allowed here: use ${oneOf(
            issue.values,
          )}`,
          issue.input,
          issue.values,
        ),
  invalid_union: issue => {
    if (issue.note !== 'No matching discriminator') {
      return 'does not match any of the allowed forms';
    }
    const options = (issue as { options?: unknown[] }).options ?? [];
    const input = issue.input as Record<string, unknown> | undefined;
    const subject = subjectOf(issue.path ?? []);
    if (typeof input !== 'object' || input === null) {
      return `expected a ${subject}, written as a mapping with a \`type\``;
    }
    if (input.type === undefined) {
      return `\`type\` is required: use ${oneOf(options)}`;
    }
    return withSuggestion(
      `unknown ${subject} type ${quoted(input.type)}: use ${oneOf(options)}`,
      input.type,
      options,
    );
  },
  too_small: sizeMessage,
  too_big: sizeMessage,
};

function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  if (isSecretKey(key)) {
    return inlineSecretMessage(key);
  }
  const suggestion = closestMatch(key, allowed);
  if (suggestion) {
    return `unknown key \`${key}\`: did you mean \`${suggestion}\`?`;
  }
  return `unknown key \`${key}\`${
    allowed.length ? `; allowed keys: ${allowed.join(', ')}` : ''
  }`;
}

/**
 * Runs a zod schema and turns its issues into {@link SpecProblem}s: every problem at once,
 * unknown keys one by one with a suggestion, union failures reported for the form the input
 * was evidently meant to have.
 */
export function collectProblems<T extends z.ZodType>(
  schema: T,
  input: unknown,
  locate?: (path: readonly PathSegment[]) => SpecProblem['location'],
):
  | { success: true; data: z.output<T> }
  | { success: false; problems: SpecProblem[] } {
  // Strict objects report unknown keys without the allowed ones; remember those per issue.
  const allowedKeys = new WeakMap<readonly string[], string[]>();
  const result = schema.safeParse(input, {
    reportInput: true,
    error: issue => {
      if (issue.code === 'unrecognized_keys') {
        const shape = (issue.inst as { _zod?: { def?: { shape?: object } } })
          ?._zod?.def?.shape;
        allowedKeys.set(issue.keys, Object.keys(shape ?? {}));
      }
      // The table is keyed by code, so each handler receives issues of its own code.
      const message = MESSAGES[issue.code] as
        | ((raw: RawIssue) => string)
        | undefined;
      return message?.(issue);
    },
  });
  if (result.success) {
    return { success: true, data: result.data };
  }

  type Found = Omit<SpecProblem, 'path' | 'location'> & {
    segments: PathSegment[];
  };
  const toProblems = (issue: Issue, base: readonly PathSegment[]): Found[] => {
    const path = [...base, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map(key => ({
        segments: [...path, key],
        message: unknownKeyMessage(key, allowedKeys.get(issue.keys) ?? []),
      }));
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Branches failing on the input's type at their root are forms the input clearly isn't.
      const plausible = issue.errors.find(
        branch =>
          !branch.some(
            nested =>
              nested.path.length === 0 && nested.code === 'invalid_type',
          ),
      );
      if (plausible) {
        return plausible.flatMap(nested => toProblems(nested, path));
      }
    }
    if (issue.code === 'invalid_key') {
      return issue.issues.flatMap(nested => toProblems(nested, path));
    }
    const position =
      issue.code === 'custom'
        ? (issue.params as Pick<SpecProblem, 'expression'> | undefined)
            ?.expression
        : undefined;
    return [
      {
        segments: path,
        message: issue.message,
        ...(position ? { expression: position } : {}),
      },
    ];
  };

  const seen = new Set<string>();
  const problems: SpecProblem[] = [];
  for (const { segments, ...found } of result.error.issues.flatMap(issue =>
    toProblems(issue, []),
  )) {
    const path = formatSpecPath(segments);
    const key = `${path}\u0000${found.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      const location = locate?.(segments);
      problems.push({ path, ...found, ...(location ? { location } : {}) });
    }
  }
  return { success: false, problems };
}
