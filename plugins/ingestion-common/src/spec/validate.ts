import { LineCounter, parseDocument, stringify } from 'yaml';
import { PipelineSpec, pipelineSpecSchema } from './pipelineSpec';
import { collectProblems, SpecProblem } from './problems';
import {
  tenantResourceProblems,
  type OrganizationResources,
} from './tenantResources';

/**
 * Largest spec text accepted; real specs are a few kilobytes.
 * @public
 */
export const MAX_SPEC_TEXT_LENGTH = 256 * 1024;

/** The result of {@link validatePipelineSpec}. @public */
export type PipelineSpecValidation =
  | { valid: true; spec: PipelineSpec }
  | { valid: false; problems: SpecProblem[] };

/** The result of {@link parsePipelineSpecText}. @public */
export type PipelineSpecTextParse =
  | { ok: true; value: unknown }
  | { ok: false; problems: SpecProblem[] };

/** A parsed document and a way back from spec paths to text positions. */
interface ParsedText {
  value: unknown;
  locate: (path: readonly PropertyKey[]) => SpecProblem['location'];
}

function parseText(
  text: string,
): { ok: true; parsed: ParsedText } | { ok: false; problems: SpecProblem[] } {
  if (text.length > MAX_SPEC_TEXT_LENGTH) {
    return {
      ok: false,
      problems: [
        {
          path: '',
          message: `the spec is larger than ${MAX_SPEC_TEXT_LENGTH / 1024} KB`,
        },
      ],
    };
  }
  const lineCounter = new LineCounter();
  // YAML 1.2 core schema: JSON is read as JSON, `yes`/`no` stay strings, keys must be unique.
  const document = parseDocument(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    version: '1.2',
  });
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map(error => {
        const location = position(error.pos[0]);
        return {
          path: '',
          message: `${
            error.code === 'DUPLICATE_KEY' ? 'duplicate key' : 'syntax error'
          } at line ${location.line}, column ${location.column}: ${
            error.message.split('\n')[0]
          }`,
          location,
        };
      }),
    };
  }
  // Aliases are expanded at most 100 times by default, which bounds "billion laughs" documents.
  const value: unknown = document.toJS({ maxAliasCount: 100 });
  return {
    ok: true,
    parsed: {
      value,
      locate: path => {
        // The deepest node of the path that exists: a wrong value points at itself,
        // a missing key at the mapping that lacks it.
        for (let depth = path.length; depth >= 0; depth--) {
          const node = document.getIn(path.slice(0, depth), true) as
            | { range?: [number, number, number] }
            | undefined;
          if (node?.range) {
            return position(node.range[0]);
          }
        }
        return undefined;
      },
    },
  };
}

/**
 * Parses the text of a spec, YAML or JSON (JSON is read as YAML 1.2, of which it is a
 * subset). Syntax errors come back as problems with their line and column.
 * @public
 */
export function parsePipelineSpecText(text: string): PipelineSpecTextParse {
  const result = parseText(text);
  return result.ok ? { ok: true, value: result.parsed.value } : result;
}

/** Options of {@link validatePipelineSpec}. @public */
export interface PipelineSpecValidationOptions {
  /**
   * The organization the spec runs in: its catalogs and storage locations are then the only
   * ones the spec may name (see {@link tenantResourceProblems}). Every caller that knows the
   * organization passes it: the API, the scaffolder actions, the engines and code generation.
   */
  organization?: OrganizationResources;
}

/**
 * Validates a pipeline spec given as an object or as YAML/JSON text. Returns the spec with
 * defaults applied, or every problem found, each with its path and a message saying what to
 * change (and, for text, where it is).
 * @public
 */
export function validatePipelineSpec(
  input: unknown,
  options: PipelineSpecValidationOptions = {},
): PipelineSpecValidation {
  let value = input;
  let locate: ParsedText['locate'] | undefined;
  if (typeof input === 'string') {
    const parsed = parseText(input);
    if (!parsed.ok) {
      return { valid: false, problems: parsed.problems };
    }
    value = parsed.parsed.value;
    locate = parsed.parsed.locate;
  }
  const result = collectProblems(pipelineSpecSchema, value, locate);
  if (!result.success) {
    return { valid: false, problems: result.problems };
  }
  if (options.organization) {
    const problems = tenantResourceProblems(result.data, options.organization);
    if (problems.length > 0) {
      return {
        valid: false,
        problems: problems.map(problem => {
          const location = locate?.(parseSpecPath(problem.path));
          return location ? { ...problem, location } : problem;
        }),
      };
    }
  }
  return { valid: true, spec: result.data };
}

/** `transformations[1].dataset.path` as path segments, for text locations. */
function parseSpecPath(path: string): PropertyKey[] {
  return [...path.matchAll(/([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]/g)].map(
    ([, key, index]) => (index !== undefined ? Number(index) : key),
  );
}

/**
 * A spec document as YAML text, the way people write and review specs: no line wrapping and no
 * anchors, so two versions diff line by line.
 * @public
 */
export function formatPipelineSpecText(spec: unknown): string {
  return stringify(spec, { lineWidth: 0, aliasDuplicateObjects: false });
}
