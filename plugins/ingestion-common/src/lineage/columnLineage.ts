import { referencedColumns } from '../expression/ast';
import { parseExpression } from '../expression/parseExpression';
import {
  getSourceDatasets,
  getTargetDataset,
  type DatasetKind,
} from '../spec/datasets';
import type { PipelineSpec, TransformSpec } from '../spec/pipelineSpec';

/**
 * How an output column comes from its inputs, by the last transform that changed its values:
 * `identity` (copied, possibly renamed or selected), `derived` (computed by an expression or a
 * cast), `aggregated` (an aggregate over rows), `masked` (hashed, redacted or partially hidden).
 * @public
 */
export type ColumnTransformationKind =
  | 'identity'
  | 'derived'
  | 'aggregated'
  | 'masked';

/** A dataset, as column lineage names it. @public */
export interface LineageDataset {
  kind: DatasetKind;
  name: string;
}

/** One input column of an output column. @public */
export interface ColumnLineageInput {
  dataset: LineageDataset;
  column: string;
}

/** One output column with the input columns its values come from. @public */
export interface ColumnLineageEntry {
  column: string;
  kind: ColumnTransformationKind;
  /** Empty for values that depend on no column (a row count, a constant). */
  inputs: ColumnLineageInput[];
  /** What made it, when not a plain copy: `sum(amount)`, `mask (hash)`, `cast as bigint`, the expression. */
  transformation?: string;
}

/**
 * A column that decides which rows are written or how they are grouped, without its values
 * being written: OpenLineage's indirect lineage.
 * @public
 */
export interface IndirectColumnInput extends ColumnLineageInput {
  type: 'filter' | 'join' | 'group_by' | 'window' | 'sort';
}

/** @public */
export interface ColumnLineage {
  target: LineageDataset;
  /** The output columns the spec determines, in output order. */
  columns: ColumnLineageEntry[];
  /**
   * When no `select` or `aggregate` fixes the output columns and the input schemas are not
   * known, the other columns of these datasets pass through unchanged (identity), except
   * `excluded` (renamed away).
   */
  passthrough: { datasets: LineageDataset[]; excluded: string[] };
  indirect: IndirectColumnInput[];
}

/** Known schemas, to resolve pass-through columns exactly. */
export interface ColumnLineageOptions {
  /** The column names of a source or join dataset, if known. */
  columnsOf?: (dataset: LineageDataset) => string[] | undefined;
  /** The columns the target table actually has (from its schema), in order. */
  targetColumns?: string[];
}

interface Origin {
  kind: ColumnTransformationKind;
  inputs: ColumnLineageInput[];
  transformation?: string;
}

const inputKey = (input: ColumnLineageInput) =>
  `${input.dataset.kind}\u0000${input.dataset.name}\u0000${input.column}`;

function unionInputs(origins: Origin[]): ColumnLineageInput[] {
  const byKey = new Map<string, ColumnLineageInput>();
  for (const origin of origins) {
    for (const input of origin.inputs) {
      byKey.set(inputKey(input), input);
    }
  }
  return [...byKey.values()];
}

/** Columns of the rows between two transforms. */
class Columns {
  /** Columns the spec named so far, in order. */
  named = new Map<string, Origin>();
  /** Datasets whose other (unknown) columns pass through. */
  open: LineageDataset[] = [];
  /** Names no longer passed through from `open` (renamed away). */
  excluded = new Set<string>();

  constructor(private readonly fallback: LineageDataset) {}

  resolve(column: string): Origin {
    const named = this.named.get(column);
    if (named) {
      return named;
    }
    // An unknown column comes from the first dataset that passes columns through (the source,
    // then joined datasets); with none left the spec refers to a column the engine will reject,
    // which is still best attributed to the source.
    const dataset =
      !this.excluded.has(column) && this.open.length > 0
        ? this.open[0]
        : this.fallback;
    return { kind: 'identity', inputs: [{ dataset, column }] };
  }

  /** Fixes the output columns: nothing unnamed passes through any more. */
  close(columns: Map<string, Origin>) {
    this.named = columns;
    this.open = [];
    this.excluded.clear();
  }

  add(dataset: LineageDataset, known: string[] | undefined, skip: Set<string>) {
    if (!known) {
      this.open.push(dataset);
      return;
    }
    for (const column of known) {
      if (!this.named.has(column) && !skip.has(column)) {
        this.named.set(column, {
          kind: 'identity',
          inputs: [{ dataset, column }],
        });
      }
    }
  }
}

const lineageDataset = (dataset: {
  kind: DatasetKind;
  name: string;
}): LineageDataset => ({ kind: dataset.kind, name: dataset.name });

function expressionColumns(text: string): {
  columns: string[];
  bareColumn?: string;
} {
  const parsed = parseExpression(text);
  if (!parsed.ok) {
    return { columns: [] };
  }
  return {
    columns: referencedColumns(parsed.ast),
    bareColumn: parsed.ast.kind === 'column' ? parsed.ast.name : undefined,
  };
}

/**
 * Column-level lineage of a pipeline, derived from its transforms (select, rename, cast, derive,
 * aggregate, window, dedupe, join, mask, filter): for each output column, the input columns and
 * the kind of transformation. Input schemas are optional; without them, columns the spec never
 * names are reported as passing through.
 * @public
 */
export function deriveColumnLineage(
  spec: PipelineSpec,
  options: ColumnLineageOptions = {},
): ColumnLineage {
  const [source] = getSourceDatasets(spec);
  const sourceDataset = lineageDataset(source);
  const columnsOf = options.columnsOf ?? (() => undefined);
  const state = new Columns(sourceDataset);
  state.add(sourceDataset, columnsOf(sourceDataset), new Set());
  const indirect = new Map<string, IndirectColumnInput>();
  const addIndirect = (
    type: IndirectColumnInput['type'],
    origins: Origin[],
  ) => {
    for (const input of unionInputs(origins)) {
      indirect.set(`${type}\u0000${inputKey(input)}`, { ...input, type });
    }
  };
  let window: { timeColumn: string } | undefined;

  const apply = (transform: TransformSpec) => {
    switch (transform.type) {
      case 'filter': {
        const { columns } = expressionColumns(transform.condition);
        addIndirect(
          'filter',
          columns.map(c => state.resolve(c)),
        );
        return;
      }
      case 'select': {
        state.close(new Map(transform.columns.map(c => [c, state.resolve(c)])));
        return;
      }
      case 'rename': {
        const renames = Object.entries(transform.columns);
        const origins = renames.map(
          ([from, to]) => [to, state.resolve(from)] as const,
        );
        for (const [from] of renames) {
          state.named.delete(from);
          state.excluded.add(from);
        }
        for (const [to, origin] of origins) {
          state.named.set(to, origin);
          state.excluded.delete(to);
        }
        return;
      }
      case 'cast': {
        for (const [column, type] of Object.entries(transform.columns)) {
          const origin = state.resolve(column);
          state.named.set(column, {
            kind: 'derived',
            inputs: origin.inputs,
            transformation: `cast as ${type}`,
          });
        }
        return;
      }
      case 'derive': {
        const { columns, bareColumn } = expressionColumns(transform.expression);
        const origins = columns.map(c => state.resolve(c));
        state.excluded.delete(transform.column);
        state.named.set(
          transform.column,
          bareColumn !== undefined
            ? origins[0]
            : {
                kind: 'derived',
                inputs: unionInputs(origins),
                transformation: transform.expression,
              },
        );
        return;
      }
      case 'window': {
        window = { timeColumn: transform.time_column };
        return;
      }
      case 'aggregate': {
        const output = new Map<string, Origin>();
        for (const column of transform.group_by) {
          output.set(column, state.resolve(column));
        }
        addIndirect(
          'group_by',
          transform.group_by.map(c => state.resolve(c)),
        );
        if (window) {
          const time = state.resolve(window.timeColumn);
          addIndirect('window', [time]);
          for (const bound of ['window_start', 'window_end']) {
            output.set(bound, {
              kind: 'derived',
              inputs: time.inputs,
              transformation: `window bound of ${window.timeColumn}`,
            });
          }
          window = undefined;
        }
        for (const [column, aggregation] of Object.entries(
          transform.aggregations,
        )) {
          output.set(column, {
            kind: 'aggregated',
            inputs: aggregation.column
              ? state.resolve(aggregation.column).inputs
              : [],
            transformation: `${aggregation.function}(${
              aggregation.column ?? '*'
            })`,
          });
        }
        state.close(output);
        return;
      }
      case 'dedupe': {
        addIndirect(
          'group_by',
          transform.keys.map(c => state.resolve(c)),
        );
        addIndirect(
          'sort',
          (transform.order_by ?? []).map(o => state.resolve(o.column)),
        );
        return;
      }
      case 'join': {
        const [joined] = getSourceDatasets({
          ...spec,
          source: transform.dataset,
          transformations: [],
        } as PipelineSpec);
        const joinedDataset = lineageDataset(joined);
        addIndirect(
          'join',
          transform.keys.map(k => state.resolve(k.left)),
        );
        addIndirect(
          'join',
          transform.keys.map(k => ({
            kind: 'identity' as const,
            inputs: [{ dataset: joinedDataset, column: k.right }],
          })),
        );
        // Right-hand key columns named like their left-hand key are not repeated.
        const sameNamedKeys = new Set(
          transform.keys.filter(k => k.left === k.right).map(k => k.right),
        );
        state.add(joinedDataset, columnsOf(joinedDataset), sameNamedKeys);
        return;
      }
      case 'mask': {
        for (const column of transform.columns) {
          const origin = state.resolve(column);
          state.named.set(column, {
            kind: 'masked',
            inputs: origin.inputs,
            transformation: `mask (${transform.method})`,
          });
        }
        return;
      }
      default:
        return;
    }
  };
  spec.transformations.forEach(apply);

  const entry = (column: string, origin: Origin): ColumnLineageEntry => ({
    column,
    kind: origin.kind,
    inputs: origin.inputs,
    ...(origin.transformation ? { transformation: origin.transformation } : {}),
  });
  const target = lineageDataset(getTargetDataset(spec));
  if (options.targetColumns) {
    return {
      target,
      columns: options.targetColumns.map(c => entry(c, state.resolve(c))),
      passthrough: { datasets: [], excluded: [] },
      indirect: [...indirect.values()],
    };
  }
  return {
    target,
    columns: [...state.named].map(([column, origin]) => entry(column, origin)),
    passthrough: {
      datasets: state.open,
      excluded: [...state.excluded].sort(),
    },
    indirect: [...indirect.values()],
  };
}
