import {
  formatSpecPath,
  pipelineSpecJsonSchema,
  type FieldProblem,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/** A spec as the editor holds it: the document as written, before defaults. */
export type SpecDraft = Record<string, unknown>;

/** A path into the spec, as segments: `['transformations', 1, 'condition']`. */
export type SpecPath = readonly (string | number)[];

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JSON Schema node of the spec (the parts the form reads). */
export interface SchemaNode {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
}

let schemaCache: SchemaNode | undefined;

/** The spec's JSON Schema, generated once from the common package's zod schema. */
export function specSchema(): SchemaNode {
  schemaCache ??= pipelineSpecJsonSchema() as SchemaNode;
  return schemaCache;
}

/** The sections whose form depends on a `type`: source, target, each transform and rule. */
export type TypedSection = 'source' | 'target' | 'transformation' | 'rule';

function branchesOf(section: TypedSection): SchemaNode[] {
  const properties = specSchema().properties ?? {};
  const nodes: Record<TypedSection, SchemaNode | undefined> = {
    source: properties.source,
    target: properties.target,
    transformation: properties.transformations?.items,
    rule: properties.data_quality?.items,
  };
  const node = nodes[section];
  return node?.oneOf ?? node?.anyOf ?? [];
}

/** The `type`s a section may have, in the schema's order. */
export function sectionTypes(section: TypedSection): string[] {
  return branchesOf(section)
    .map(branch => branch.properties?.type?.const)
    .filter((type): type is string => typeof type === 'string');
}

/** The schema of a section of the given `type`, if the type is known. */
export function sectionSchema(
  section: TypedSection,
  type: unknown,
): SchemaNode | undefined {
  return branchesOf(section).find(
    branch => branch.properties?.type?.const === type,
  );
}

/** A new section of a type: its `type` and an empty value for each required field. */
export function emptySection(section: TypedSection, type: string): SpecDraft {
  const schema = sectionSchema(section, type);
  const value: SpecDraft = { type };
  for (const key of schema?.required ?? []) {
    if (key === 'type') continue;
    const field = schema?.properties?.[key];
    const empties: Record<string, unknown> = { array: [], object: {} };
    value[key] = empties[String(field?.type)] ?? '';
  }
  return value;
}

/**
 * When the type of a section changes: keep the values the new type also has (a connection, a
 * table, columns), drop the others.
 */
export function changeSectionType(
  section: TypedSection,
  current: unknown,
  type: string,
): SpecDraft {
  const next = emptySection(section, type);
  const properties = sectionSchema(section, type)?.properties ?? {};
  if (isRecord(current)) {
    for (const [key, value] of Object.entries(current)) {
      if (key !== 'type' && key in properties) next[key] = value;
    }
  }
  return next;
}

/** The value at `path`, or undefined. */
export function getAt(value: unknown, path: SpecPath): unknown {
  let node = value;
  for (const key of path) {
    if (Array.isArray(node) && typeof key === 'number') node = node[key];
    else if (isRecord(node) && typeof key === 'string') node = node[key];
    else return undefined;
  }
  return node;
}

/**
 * A copy of `value` with `path` set to `next`; `undefined` removes the key (a cleared optional
 * field is left out of the spec, not written as an empty string).
 */
export function setAt<T>(value: T, path: SpecPath, next: unknown): T {
  if (path.length === 0) return next as T;
  const [key, ...rest] = path;
  if (typeof key === 'number') {
    const list = Array.isArray(value) ? [...value] : [];
    list[key] = setAt(list[key], rest, next);
    return list as T;
  }
  const record: Record<string, unknown> = isRecord(value) ? { ...value } : {};
  const child = setAt(record[key], rest, next);
  if (child === undefined) delete record[key];
  else record[key] = child;
  return record as T;
}

/** A copy of `list` with the item at `from` moved to `to`. */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const next = [...list];
  if (from < 0 || from >= next.length || to < 0 || to >= next.length) {
    return next;
  }
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item);
  return next;
}

/** `transformations[1].condition` for `['transformations', 1, 'condition']`. */
export const pathText = (path: SpecPath) => formatSpecPath(path);

/**
 * The problems that belong on the field at `path`: those naming it, or a part of it
 * (`columns[0]` belongs on `columns`, `schedule.cron` on `schedule`).
 */
export function problemsAt(
  problems: readonly FieldProblem[],
  path: SpecPath,
): FieldProblem[] {
  const text = pathText(path);
  return problems.filter(
    p =>
      p.path === text ||
      p.path.startsWith(`${text}[`) ||
      p.path.startsWith(`${text}.`),
  );
}

/** Problems and the same problems reported twice (client and server) as one. */
export function mergeProblems(
  ...lists: (readonly FieldProblem[] | undefined)[]
): FieldProblem[] {
  const seen = new Set<string>();
  const merged: FieldProblem[] = [];
  for (const problem of lists.flatMap(list => list ?? [])) {
    const key = `${problem.path}\u0000${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      merged.push({ path: problem.path, message: problem.message });
    }
  }
  return merged;
}

/** `incremental_column` → `Incremental column`. */
export function fieldLabel(key: string): string {
  const words = key.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A spec to start from when a pipeline is created without a template. */
export function starterSpec(): SpecDraft {
  return {
    pipeline_type: 'batch',
    schedule: '0 2 * * *',
    source: { type: 'file', path: '', format: 'csv' },
    transformations: [],
    target: { type: 'iceberg', catalog: '', schema: '', table: '' },
    data_quality: [],
  };
}
