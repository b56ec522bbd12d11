import type { Knex } from 'knex';
import { decodeCursor, encodeCursor } from './pagination';

/**
 * Keyset pagination on (sort column, id): stable under concurrent inserts, and O(page) with an
 * index that leads with organization_id and ends with the sort column and id.
 */
export interface KeysetOptions<Row> {
  column: string;
  order: 'asc' | 'desc';
  /** Whether the column is a timestamp (cursor values are then epoch milliseconds). */
  isTimestamp: boolean;
  cursor?: string;
  limit: number;
  valueOf(row: Row): string | number;
  idOf(row: Row): string;
  /** The unique tie-breaker column; `id` unless the table names it otherwise. */
  idColumn?: string;
}

export function applyKeyset<Row>(
  builder: Knex.QueryBuilder,
  tableAlias: string,
  options: KeysetOptions<Row>,
): void {
  const column = `${tableAlias}.${options.column}`;
  const idColumn = `${tableAlias}.${options.idColumn ?? 'id'}`;
  const op = options.order === 'asc' ? '>' : '<';
  if (options.cursor) {
    const position = decodeCursor(options.cursor);
    const value =
      options.isTimestamp && typeof position.value === 'number'
        ? new Date(position.value)
        : position.value;
    // The redundant bound (column ≤ or ≥ value) lets the database seek the index to the
    // position; the OR alone would make it read every row before it.
    builder
      .where(column, options.order === 'asc' ? '>=' : '<=', value)
      .where(inner =>
        inner
          .where(column, op, value)
          .orWhere(nested =>
            nested.where(column, value).andWhere(idColumn, op, position.id),
          ),
      );
  }
  builder
    .orderBy(column, options.order)
    .orderBy(idColumn, options.order)
    .limit(options.limit + 1);
}

/** Cuts the extra row fetched by {@link applyKeyset} and turns it into the next cursor. */
export function pageOf<Row>(
  rows: Row[],
  options: KeysetOptions<Row>,
): { rows: Row[]; nextCursor?: string } {
  if (rows.length <= options.limit) {
    return { rows };
  }
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    rows: page,
    nextCursor: encodeCursor({
      value: options.valueOf(last),
      id: options.idOf(last),
    }),
  };
}
