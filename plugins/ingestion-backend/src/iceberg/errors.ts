import { ConflictError, CustomErrorBase, InputError } from '@backstage/errors';

/**
 * The catalog's compare-and-swap found a different current metadata location
 * than the one the commit was based on: another writer committed first.
 *
 * It stays a `ConflictError` so that it maps to HTTP 409 if it ever escapes;
 * detect it with `instanceof`.
 *
 * @public
 */
export class CommitConflictError extends ConflictError {}

/**
 * The input has a column whose DuckDB type has no Iceberg v2 counterpart that
 * this writer supports, or whose type is incompatible with the table's column.
 *
 * @public
 */
export class UnsupportedColumnTypeError extends InputError {}

/**
 * A commit failed in a way that leaves its outcome unknown (for example the
 * database connection dropped during the compare-and-swap). Files written for
 * it are kept, because the table may now reference them.
 *
 * @public
 */
export class CommitStateUnknownError extends CustomErrorBase {
  name = 'CommitStateUnknownError' as const;
}
