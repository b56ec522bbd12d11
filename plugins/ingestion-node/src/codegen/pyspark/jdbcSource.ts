/** JDBC tables (MySQL, MariaDB, PostgreSQL) read with the drivers Databricks Runtime ships. */
import { pyStr } from '../python';
import { reader, secret } from './sparkReader';

/** Databricks Runtime ships the MariaDB driver (which also accepts `jdbc:mysql:` URLs) and PostgreSQL's. */
const JDBC_DRIVERS = {
  mysql: 'org.mariadb.jdbc.Driver',
  mariadb: 'org.mariadb.jdbc.Driver',
  postgres: 'org.postgresql.Driver',
} as const;

export type JdbcDialect = keyof typeof JDBC_DRIVERS;

/** Quotes a table name, optionally schema-qualified, for the source database. */
function jdbcTableName(dialect: JdbcDialect, parts: string[]): string {
  const quote =
    dialect === 'postgres'
      ? (part: string) => `"${part.replace(/"/g, '""')}"`
      : (part: string) => `\`${part.replace(/`/g, '``')}\``;
  return parts.map(quote).join('.');
}

/**
 * A JDBC table read. The URL and credentials come from the connection's secret scope; the table name is
 * quoted for the database, so it is a name and never SQL.
 */
export function jdbcSource(options: {
  into: string;
  dialect: JdbcDialect;
  scope: string;
  table: string[];
}): string[] {
  const { dialect, scope } = options;
  return reader(
    options.into,
    'spark.read.format("jdbc")',
    [
      ['url', secret(scope, 'url')],
      ['user', secret(scope, 'user')],
      ['password', secret(scope, 'password')],
      ['driver', pyStr(JDBC_DRIVERS[dialect])],
      ['dbtable', pyStr(jdbcTableName(dialect, options.table))],
      ['fetchsize', pyStr('10000')],
    ],
    '.load()',
  );
}
