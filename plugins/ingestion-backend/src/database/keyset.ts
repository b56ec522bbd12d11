import { InputError } from '@backstage/errors';
import type { Knex } from 'knex';
import { cursorCodec, type CursorContext } from './pagination';

/**
 * Keyset pagination on (sort column, id): stable under concurrent inserts, and O(page) with an
 * index that leads with organization_id and ends with the sort column and id.
 */
export interface KeysetOptions<Row> {
  /** The list's name, e.g. `pipelines`; a cursor of another list is refused. */
  list: string;
  /**
   * Everything besides the sort that decides the list's rows: the access filter, the
   * organization and the query's filters. A cursor only continues a list with the same scope.
   */
  scope: Record<string, unknown>;
  column: string;
  order: 'asc' | 'desc';
  /** The sort column's type: timestamps travel as epoch milliseconds, integers as numbers. */
  valueType: 'timestamp' | 'integer' | 'string';
  /** The tie-breaker's type: integer ids are checked as such before they reach SQL. */
  idType?: 'integer' | 'string';
  cursor?: string;
  limit: number;
  valueOf(row: Row): string | number;
  idOf(row: Row): string;
  /** The unique tie-breaker column; `id` unless the table names it otherwise. */
  idColumn?: string;
}

/** A decoded page request: where it starts, and how to cut the page and the next cursor. */
export interface Keyset<Row> {
  /** Adds the position, the order and the limit (one extra row) to the query. */
  apply(builder: Knex.QueryBuilder, tableAlias: string): void;
  /** Cuts the extra row fetched by `apply` and turns the last row into the next cursor. */
  page(rows: Row[]): { rows: Row[]; nextCursor?: string };
}

const MAX_ID_LENGTH = 512;

/** Whether a value (already authenticated) has the sort column's type. */
function valueFits(
  value: string | number,
  type: KeysetOptions<unknown>['valueType'],
): boolean {
  switch (type) {
    case 'timestamp':
      return (
        Number.isSafeInteger(value) &&
        !Number.isNaN(new Date(value as number).getTime())
      );
    case 'integer':
      return Number.isSafeInteger(value);
    default:
      return typeof value === 'string';
  }
}

/**
 * Checks the request's cursor (authenticated for this list, sort and scope, then typed against the
 * sort column) before any query runs: an invalid cursor is an `InputError` (400) naming `cursor`.
 */
export async function openKeyset<Row>(
  knex: Knex,
  options: KeysetOptions<Row>,
): Promise<Keyset<Row>> {
  const codec = await cursorCodec(knex);
  const context: CursorContext = {
    list: options.list,
    sort: { column: options.column, order: options.order },
    scope: options.scope,
  };
  let position:
    | { value: string | number | Date; id: string | number }
    | undefined;
  if (options.cursor !== undefined) {
    const decoded = codec.decode(context, options.cursor);
    // Belt and braces: only this installation can sign, but a typed check keeps a value of the
    // wrong type out of SQL even if a key leaked.
    const idFits =
      decoded.id.length <= MAX_ID_LENGTH &&
      (options.idType !== 'integer' || /^\d{1,18}$/.test(decoded.id));
    if (!valueFits(decoded.value, options.valueType) || !idFits) {
      throw new InputError(
        `cursor: its position does not fit the sort on ${options.column}`,
      );
    }
    position = {
      value:
        options.valueType === 'timestamp'
          ? new Date(decoded.value as number)
          : decoded.value,
      id: options.idType === 'integer' ? Number(decoded.id) : decoded.id,
    };
  }
  return {
    apply(builder, tableAlias) {
      const column = `${tableAlias}.${options.column}`;
      const idColumn = `${tableAlias}.${options.idColumn ?? 'id'}`;
      const op = options.order === 'asc' ? '>' : '<';
      if (position) {
        const { value, id } = position;
        // The redundant bound (column ≤ or ≥ value) lets the database seek the index to the
        // position; the OR alone would make it read every row before it.
        builder
          .where(column, options.order === 'asc' ? '>=' : '<=', value)
          .where(inner =>
            inner
              .where(column, op, value)
              .orWhere(nested =>
                nested.where(column, value).andWhere(idColumn, op, id),
              ),
          );
      }
      builder
        .orderBy(column, options.order)
        .orderBy(idColumn, options.order)
        .limit(options.limit + 1);
    },
    page(rows) {
      if (rows.length <= options.limit) {
        return { rows };
      }
      const page = rows.slice(0, options.limit);
      const last = page[page.length - 1];
      return {
        rows: page,
        nextCursor: codec.encode(context, {
          value: options.valueOf(last),
          id: options.idOf(last),
        }),
      };
    },
  };
}
