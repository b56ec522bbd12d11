import {
  parseDataType,
  parseDurationSeconds,
  parseExpression,
  referencedColumns,
  renderExpression,
  type AggregateTransform,
  type ExpressionNode,
  type JoinTransform,
  type TransformSpec,
  type WindowTransform,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { LocalEngineError } from './errors';
import { Column, quoteIdentifier } from './sql';
import { RunWorkspace } from './workspace';

/**
 * Compiles a pipeline's transformations to DuckDB SQL: one view per step over the previous one,
 * starting at the source table. Expressions are parsed by the expression language and rendered
 * for DuckDB from the syntax tree; names are always quoted; the only literals written here are
 * numbers the spec validated.
 *
 * Columns are checked at each step (DuckDB matches names case-insensitively, and so does this
 * check), so a wrong name fails with the transform's position and the columns that exist.
 *
 * Column lineage is tracked along the way: for every column, the input columns it derives from.
 */

/** Where each column comes from: `<dataset ref>#<column>` entries. */
export type ColumnLineage = Map<string, Set<string>>;

/** The rows after the transformations: a view (or table) and its columns. */
export interface TransformedRelation {
  relation: string;
  columns: Column[];
  lineage: ColumnLineage;
}

export interface TransformOptions {
  workspace: RunWorkspace;
  /** The source table and its dataset reference (for column lineage). */
  source: { table: string; datasetRef: string };
  transforms: TransformSpec[];
  /** Reads the dataset of the join at `index` into a table; returns it with its dataset ref. */
  loadJoin(
    index: number,
    transform: JoinTransform,
  ): Promise<{ table: string; datasetRef: string }>;
  checkCancelled(): void;
  /** Names of the step views (`step_` by default): a second pass in one run needs its own. */
  viewPrefix?: string;
}

const ROW_NUMBER = '__ingestion_row_number';
const SESSION_NEW = '__ingestion_session_new';
const SESSION_ID = '__ingestion_session_id';
const WINDOW_K = '__ingestion_window_k';

function find(columns: Column[], name: string): Column | undefined {
  const lower = name.toLowerCase();
  return columns.find(c => c.name.toLowerCase() === lower);
}

function lineageOf(lineage: ColumnLineage, name: string): Set<string> {
  const lower = name.toLowerCase();
  for (const [column, origins] of lineage) {
    if (column.toLowerCase() === lower) return origins;
  }
  return new Set();
}

class StepError extends LocalEngineError {}

/** Compiles and creates the transformation views. */
export async function applyTransforms(
  options: TransformOptions,
): Promise<TransformedRelation> {
  const { workspace, transforms } = options;
  let relation = quoteIdentifier(options.source.table);
  let columns = await workspace.describe(relation);
  let lineage: ColumnLineage = new Map(
    columns.map(c => [
      c.name,
      new Set([`${options.source.datasetRef}#${c.name}`]),
    ]),
  );

  for (let index = 0; index < transforms.length; index++) {
    options.checkCancelled();
    const step = await compileStep(
      options,
      { relation, columns, lineage },
      index,
    );
    index += step.skip;
    const view = quoteIdentifier(`${options.viewPrefix ?? 'step_'}${index}`);
    try {
      await workspace.connection.run(`CREATE VIEW ${view} AS ${step.select}`);
      columns = await workspace.describe(view);
    } catch (error) {
      if (error instanceof LocalEngineError) throw error;
      throw new LocalEngineError(`${step.where}: ${(error as Error).message}`);
    }
    relation = view;
    lineage = step.lineage;
  }
  return { relation, columns, lineage };
}

interface StepInput {
  relation: string;
  columns: Column[];
  lineage: ColumnLineage;
}

interface CompiledStep {
  where: string;
  select: string;
  lineage: ColumnLineage;
  /** Transforms consumed beyond this one (a window takes its aggregate). */
  skip: number;
}

/** The SELECT of the transform at `index`, over the rows so far. */
async function compileStep(
  options: TransformOptions,
  input: StepInput,
  index: number,
): Promise<CompiledStep> {
  const { workspace, transforms } = options;
  const { relation, columns, lineage } = input;
  let skip = 0;
  const transform = transforms[index];
  const where = `transformations[${index}] (${transform.type})`;
  const fail = (message: string): never => {
    throw new StepError(`${where}: ${message}`);
  };
  const need = (name: string): Column => {
    const column = find(columns, name);
    if (!column) {
      fail(
        `column '${name}' does not exist; the columns here are ${columns
          .map(c => c.name)
          .join(', ')}`,
      );
    }
    return column!;
  };
  const expression = (text: string, condition: boolean) => {
    const parsed = parseExpression(
      text,
      condition ? { expect: 'boolean' } : {},
    );
    if (!parsed.ok) {
      return fail(`invalid expression: ${parsed.error.message}`);
    }
    const refs = referencedColumns(parsed.ast);
    refs.forEach(need);
    return { sql: renderExpression(parsed.ast, 'duckdb'), refs };
  };
  const col = (name: string) => quoteIdentifier(need(name).name);

  let select: string;
  let nextLineage: ColumnLineage = lineage;
  switch (transform.type) {
    case 'filter': {
      const { sql } = expression(transform.condition, true);
      select = `SELECT * FROM ${relation} WHERE ${sql}`;
      break;
    }
    case 'select': {
      const picked = transform.columns.map(need);
      select = `SELECT ${picked
        .map(c => quoteIdentifier(c.name))
        .join(', ')} FROM ${relation}`;
      nextLineage = new Map(
        picked.map(c => [c.name, lineageOf(lineage, c.name)]),
      );
      break;
    }
    case 'rename': {
      const renames = new Map(
        Object.entries(transform.columns).map(([from, to]) => [
          need(from).name,
          to,
        ]),
      );
      const names = columns.map(c => renames.get(c.name) ?? c.name);
      const duplicate = names.find(
        (n, i) =>
          names.findIndex(m => m.toLowerCase() === n.toLowerCase()) !== i,
      );
      if (duplicate) {
        fail(`renaming would leave two columns named '${duplicate}'`);
      }
      select = `SELECT ${columns
        .map((c, i) =>
          renames.has(c.name)
            ? `${quoteIdentifier(c.name)} AS ${quoteIdentifier(names[i])}`
            : quoteIdentifier(c.name),
        )
        .join(', ')} FROM ${relation}`;
      nextLineage = new Map(
        columns.map((c, i) => [names[i], lineageOf(lineage, c.name)]),
      );
      break;
    }
    case 'cast': {
      const casts = new Map<string, string>();
      for (const [name, typeText] of Object.entries(transform.columns)) {
        const parsed = parseDataType(typeText);
        if (!parsed.ok) {
          fail(`invalid type '${typeText}': ${parsed.error.message}`);
        }
        const column = need(name);
        const ast: ExpressionNode = {
          kind: 'cast',
          operand: { kind: 'column', name: column.name },
          type: (parsed as { ok: true; type: any }).type,
        };
        casts.set(column.name, renderExpression(ast, 'duckdb'));
      }
      select = `SELECT ${columns
        .map(c =>
          casts.has(c.name)
            ? `${casts.get(c.name)} AS ${quoteIdentifier(c.name)}`
            : quoteIdentifier(c.name),
        )
        .join(', ')} FROM ${relation}`;
      break;
    }
    case 'derive': {
      const { sql, refs } = expression(transform.expression, false);
      const existing = find(columns, transform.column);
      const list = columns.map(c =>
        c === existing
          ? `${sql} AS ${quoteIdentifier(c.name)}`
          : quoteIdentifier(c.name),
      );
      if (!existing) {
        list.push(`${sql} AS ${quoteIdentifier(transform.column)}`);
      }
      select = `SELECT ${list.join(', ')} FROM ${relation}`;
      const origins = new Set(
        refs.flatMap(ref => [...lineageOf(lineage, ref)]),
      );
      nextLineage = new Map(lineage);
      if (existing) nextLineage.delete(existing.name);
      nextLineage.set(existing?.name ?? transform.column, origins);
      break;
    }
    case 'aggregate': {
      ({ select, lineage: nextLineage } = aggregateSql(
        transform,
        relation,
        need,
        lineage,
      ));
      break;
    }
    case 'window': {
      const next = transforms[index + 1];
      if (next?.type !== 'aggregate') {
        fail('a window must be directly followed by an aggregate transform');
      }
      const aggregate = next as AggregateTransform;
      const windowed = windowSql(transform, aggregate, relation, need, fail);
      const windowView = quoteIdentifier(`step_${index}`);
      await workspace.connection.run(
        `CREATE VIEW ${windowView} AS ${windowed}`,
      );
      const timeOrigins = lineageOf(lineage, transform.time_column);
      const withWindow: ColumnLineage = new Map(lineage);
      withWindow.set('window_start', timeOrigins);
      withWindow.set('window_end', timeOrigins);
      ({ select, lineage: nextLineage } = aggregateSql(
        aggregate,
        windowView,
        need,
        withWindow,
        true,
      ));
      skip = 1;
      break;
    }
    case 'dedupe': {
      const keys = transform.keys.map(col);
      const order = (transform.order_by ?? []).map(
        o =>
          `${col(o.column)} ${
            o.direction === 'asc' ? 'ASC' : 'DESC'
          } NULLS LAST`,
      );
      select =
        `SELECT * EXCLUDE (${quoteIdentifier(ROW_NUMBER)}) FROM (` +
        `SELECT *, row_number() OVER (PARTITION BY ${keys.join(', ')}${
          order.length ? ` ORDER BY ${order.join(', ')}` : ''
        }) AS ${quoteIdentifier(ROW_NUMBER)} FROM ${relation}) ` +
        `WHERE ${quoteIdentifier(ROW_NUMBER)} = 1`;
      break;
    }
    case 'join': {
      const joined = await options.loadJoin(index, transform);
      const right = quoteIdentifier(joined.table);
      const rightColumns = await workspace.describe(right);
      const rightLineage: ColumnLineage = new Map(
        rightColumns.map(c => [
          c.name,
          new Set([`${joined.datasetRef}#${c.name}`]),
        ]),
      );
      ({ select, lineage: nextLineage } = joinSql({
        transform,
        left: { relation, columns, lineage },
        right: {
          relation: right,
          columns: rightColumns,
          lineage: rightLineage,
        },
        fail,
      }));
      break;
    }
    case 'mask': {
      const masked = new Map(
        transform.columns.map(name => [need(name).name, true]),
      );
      const visible = transform.visible_characters ?? 4;
      const maskSql = (ref: string) => {
        const text = `CAST(${ref} AS VARCHAR)`;
        switch (transform.method) {
          case 'redact':
            return `CASE WHEN ${ref} IS NULL THEN NULL ELSE '[REDACTED]' END`;
          case 'partial':
            // Every character followed by at least `visible` more becomes '*'.
            return `CASE WHEN ${ref} IS NULL THEN NULL ELSE repeat('*', greatest(length(${text}) - ${visible}, 0)) || right(${text}, ${visible}) END`;
          default:
            return `CASE WHEN ${ref} IS NULL THEN NULL ELSE sha256(${text}) END`;
        }
      };
      select = `SELECT ${columns
        .map(c =>
          masked.has(c.name)
            ? `${maskSql(quoteIdentifier(c.name))} AS ${quoteIdentifier(
                c.name,
              )}`
            : quoteIdentifier(c.name),
        )
        .join(', ')} FROM ${relation}`;
      break;
    }
    default:
      throw new LocalEngineError(
        `${where}: the local engine does not support this transform`,
      );
  }

  return { where, select, lineage: nextLineage, skip };
}

/** The seconds of a spec duration, as a DuckDB interval literal. */
function interval(text: string, fail: (m: string) => never): string {
  const seconds = parseDurationSeconds(text);
  if (!seconds) {
    fail(`invalid duration '${text}'`);
  }
  return `INTERVAL ${seconds} SECOND`;
}

const EPOCH = "TIMESTAMP '1970-01-01 00:00:00'";

/**
 * The rows of a window transform, each with `window_start` and `window_end`, for the aggregate
 * that follows to group by. Rows without a time are left out (as Spark does).
 *
 * - tumbling: `time_bucket` aligned on the Unix epoch (as Spark's `window`);
 * - sliding: each row in every window `[start, start + duration)` with `start` a multiple of
 *   `slide` (a row is in `duration / slide` windows);
 * - session: per group of the aggregate's `group_by`, a new session starts when the gap to the
 *   previous event exceeds `duration`; it spans from the first event to the last plus the gap
 *   (as Spark's `session_window`).
 */
function windowSql(
  window: WindowTransform,
  aggregate: AggregateTransform,
  relation: string,
  need: (name: string) => Column,
  fail: (message: string) => never,
): string {
  const time = `CAST(${quoteIdentifier(
    need(window.time_column).name,
  )} AS TIMESTAMP)`;
  const duration = interval(window.duration, fail);
  const present = `${time} IS NOT NULL`;
  switch (window.window_type) {
    case 'tumbling':
      return (
        `SELECT *, time_bucket(${duration}, ${time}, ${EPOCH}) AS "window_start", ` +
        `time_bucket(${duration}, ${time}, ${EPOCH}) + ${duration} AS "window_end" ` +
        `FROM ${relation} WHERE ${present}`
      );
    case 'sliding': {
      const slideSeconds = parseDurationSeconds(window.slide ?? '');
      const durationSeconds = parseDurationSeconds(window.duration)!;
      if (!slideSeconds) {
        fail('a sliding window needs `slide`');
      }
      const slide = `INTERVAL ${slideSeconds} SECOND`;
      const windows = Math.ceil(durationSeconds / slideSeconds!);
      const k = quoteIdentifier(WINDOW_K);
      const start = `(time_bucket(${slide}, ${time}, ${EPOCH}) - to_seconds(${k} * ${slideSeconds}))`;
      return (
        `SELECT * EXCLUDE (${k}) FROM (` +
        `SELECT *, ${start} AS "window_start", ${start} + ${duration} AS "window_end" ` +
        `FROM ${relation}, range(0, ${windows}) AS w(${k}) WHERE ${present}) ` +
        `WHERE ${time} < "window_end"`
      );
    }
    case 'session': {
      const partition = aggregate.group_by.length
        ? `PARTITION BY ${aggregate.group_by
            .map(g => quoteIdentifier(need(g).name))
            .join(', ')} `
        : '';
      const isNew = quoteIdentifier(SESSION_NEW);
      const session = quoteIdentifier(SESSION_ID);
      const previous = `lag(${time}) OVER (${partition}ORDER BY ${time})`;
      const marked =
        `SELECT *, CASE WHEN ${previous} IS NULL OR ${time} - ${previous} > ${duration} ` +
        `THEN 1 ELSE 0 END AS ${isNew} FROM ${relation} WHERE ${present}`;
      const numbered =
        `SELECT * EXCLUDE (${isNew}), sum(${isNew}) OVER (${partition}ORDER BY ${time} ` +
        `ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS ${session} FROM (${marked})`;
      const sessionPartition = `PARTITION BY ${[
        ...aggregate.group_by.map(g => quoteIdentifier(need(g).name)),
        session,
      ].join(', ')}`;
      return (
        `SELECT * EXCLUDE (${session}), min(${time}) OVER (${sessionPartition}) AS "window_start", ` +
        `max(${time}) OVER (${sessionPartition}) + ${duration} AS "window_end" FROM (${numbered})`
      );
    }
    default:
      return fail(`unsupported window type '${window.window_type}'`);
  }
}

const AGGREGATES: Record<string, (arg: string) => string> = {
  sum: arg => `sum(${arg})`,
  count: arg => `count(${arg})`,
  avg: arg => `avg(${arg})`,
  min: arg => `min(${arg})`,
  max: arg => `max(${arg})`,
  count_distinct: arg => `count(DISTINCT ${arg})`,
};

function aggregateSql(
  aggregate: AggregateTransform,
  relation: string,
  need: (name: string) => Column,
  lineage: ColumnLineage,
  windowed = false,
): { select: string; lineage: ColumnLineage } {
  const groups = [
    ...(windowed ? ['window_start', 'window_end'] : []),
    ...aggregate.group_by.map(g => need(g).name),
  ];
  const next: ColumnLineage = new Map(
    groups.map(g => [g, lineageOf(lineage, g)]),
  );
  const outputs = Object.entries(aggregate.aggregations).map(
    ([output, { function: fn, column }]) => {
      const render = AGGREGATES[fn];
      if (!render) {
        throw new LocalEngineError(`Unsupported aggregate function '${fn}'`);
      }
      const arg =
        column === undefined ? '*' : quoteIdentifier(need(column).name);
      next.set(
        output,
        column === undefined ? new Set() : lineageOf(lineage, column),
      );
      return `${render(arg)} AS ${quoteIdentifier(output)}`;
    },
  );
  const keys = groups.map(g => quoteIdentifier(g));
  const select = `SELECT ${[...keys, ...outputs].join(', ')} FROM ${relation}${
    keys.length ? ` GROUP BY ${keys.join(', ')}` : ''
  }`;
  return { select, lineage: next };
}

interface JoinSide {
  relation: string;
  columns: Column[];
  lineage: ColumnLineage;
}

/**
 * A join. Keys with the same name on both sides become one column (coalesced, so right and full
 * joins keep the key of unmatched right rows); other right columns whose names are taken on the
 * left get the suffix `_right`.
 */
function joinSql(options: {
  transform: JoinTransform;
  left: JoinSide;
  right: JoinSide;
  fail: (message: string) => never;
}): { select: string; lineage: ColumnLineage } {
  const { transform, left, right, fail } = options;
  const pairs = transform.keys.map(key => {
    const l = find(left.columns, key.left);
    const r = find(right.columns, key.right);
    if (!l) fail(`join key '${key.left}' is not a column of the rows so far`);
    if (!r) {
      fail(
        `join key '${
          key.right
        }' is not a column of the joined dataset; its columns are ${right.columns
          .map(c => c.name)
          .join(', ')}`,
      );
    }
    return { left: l!, right: r! };
  });
  const merged = new Map(
    pairs
      .filter(p => p.left.name.toLowerCase() === p.right.name.toLowerCase())
      .map(p => [p.left.name, p.right.name]),
  );
  const mergedRight = new Set([...merged.values()]);
  const taken = new Set(left.columns.map(c => c.name.toLowerCase()));
  const lineage: ColumnLineage = new Map();
  const list: string[] = [];
  for (const c of left.columns) {
    const l = `l.${quoteIdentifier(c.name)}`;
    if (merged.has(c.name)) {
      const r = `r.${quoteIdentifier(merged.get(c.name)!)}`;
      list.push(`coalesce(${l}, ${r}) AS ${quoteIdentifier(c.name)}`);
      lineage.set(
        c.name,
        new Set([
          ...lineageOf(left.lineage, c.name),
          ...lineageOf(right.lineage, merged.get(c.name)!),
        ]),
      );
    } else {
      list.push(l);
      lineage.set(c.name, lineageOf(left.lineage, c.name));
    }
  }
  for (const c of right.columns) {
    if (mergedRight.has(c.name)) continue;
    let name = c.name;
    while (taken.has(name.toLowerCase())) {
      name = `${name}_right`;
    }
    taken.add(name.toLowerCase());
    list.push(`r.${quoteIdentifier(c.name)} AS ${quoteIdentifier(name)}`);
    lineage.set(name, lineageOf(right.lineage, c.name));
  }
  const on = pairs
    .map(
      p =>
        `l.${quoteIdentifier(p.left.name)} = r.${quoteIdentifier(
          p.right.name,
        )}`,
    )
    .join(' AND ');
  const kind = { inner: 'INNER', left: 'LEFT', right: 'RIGHT', full: 'FULL' }[
    transform.join_type
  ];
  return {
    select: `SELECT ${list.join(', ')} FROM ${
      left.relation
    } AS l ${kind} JOIN ${right.relation} AS r ON ${on}`,
    lineage,
  };
}

/** Column lineage as stored with a lineage edge: `{ column: ['<dataset>#<column>', …] }`. */
export function lineageRecord(
  lineage: ColumnLineage,
): Record<string, string[]> {
  return Object.fromEntries(
    [...lineage.entries()].map(([column, origins]) => [
      column,
      [...origins].sort(),
    ]),
  );
}
