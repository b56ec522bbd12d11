import type {
  AllOfCriteria,
  AnyOfCriteria,
  NotCriteria,
  PermissionCriteria,
} from '@backstage/plugin-permission-common';
import type { IngestionResourceQuery } from '@ingestion-for-backstage/plugin-ingestion-node';
import type { Knex } from 'knex';

/**
 * Which rows of a tenant-scoped table a caller may see: the organizations the request is limited
 * to (always present, never empty-means-all) and, when the permission policy answered with
 * conditions, the permission criteria turned into SQL.
 */
export interface AccessFilter {
  organizationIds: readonly string[];
  criteria?: PermissionCriteria<IngestionResourceQuery>;
}

type Criteria = PermissionCriteria<IngestionResourceQuery>;
const isAllOf = (c: Criteria): c is AllOfCriteria<IngestionResourceQuery> =>
  'allOf' in c;
const isAnyOf = (c: Criteria): c is AnyOfCriteria<IngestionResourceQuery> =>
  'anyOf' in c;
const isNot = (c: Criteria): c is NotCriteria<IngestionResourceQuery> =>
  'not' in c;

/** Adds a permission criteria tree to a query as a WHERE clause (allOf → AND, anyOf → OR). */
export function whereCriteria(
  builder: Knex.QueryBuilder,
  criteria: PermissionCriteria<IngestionResourceQuery>,
  tableAlias: string,
): void {
  if (isAllOf(criteria)) {
    builder.where(inner => {
      for (const c of criteria.allOf) {
        inner.andWhere(nested => whereCriteria(nested, c, tableAlias));
      }
    });
  } else if (isAnyOf(criteria)) {
    builder.where(inner => {
      for (const c of criteria.anyOf) {
        inner.orWhere(nested => whereCriteria(nested, c, tableAlias));
      }
    });
  } else if (isNot(criteria)) {
    builder.whereNot(inner => whereCriteria(inner, criteria.not, tableAlias));
  } else if (criteria.values.length === 0) {
    // An empty IN () matches nothing; say so explicitly for every database.
    builder.whereRaw('1 = 0');
  } else {
    builder.whereIn(`${tableAlias}.${criteria.column}`, criteria.values);
  }
}

/** Limits a query on a tenant-scoped table to what the access filter allows. */
export function applyAccessFilter(
  builder: Knex.QueryBuilder,
  filter: AccessFilter,
  tableAlias: string,
): void {
  if (filter.organizationIds.length === 0) {
    builder.whereRaw('1 = 0');
    return;
  }
  builder.whereIn(`${tableAlias}.organization_id`, filter.organizationIds);
  if (filter.criteria) {
    builder.andWhere(inner =>
      whereCriteria(inner, filter.criteria!, tableAlias),
    );
  }
}
